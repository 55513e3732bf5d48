/**
 * Several servers for one run: `--host` may name more than one, each with its own slot count.
 *
 *   --host http://a:11434#4,http://b:11434#2      comma-separated, `#N` = N slots on that host
 *   --host a:11434#4 --host b:11434                repeated; a host without `#N` gets the default
 *   OLLAMA_HOST=a:11434#4,b:11434#4                 (or OPENAI_BASE_URL for openai: models)
 *
 * A host's slots are the requests it is sent at once: set it to the server's OLLAMA_NUM_PARALLEL
 * (llama-server's -np; vLLM and SGLang batch, so more is fine). Without `#N` a host gets
 * `--concurrency` slots, else 1 on Ollama and 4 on OpenAI-compatible servers.
 */
import { InputError } from '../core/errors.ts';

export interface HostSpec {
  /** The entry as the user wrote it, without its slot count (resolved to a URL by the backend kind). */
  address: string;
  /** Requests in flight on this host at once. */
  slots: number;
  /** Which setting it came from, for error messages. */
  where: string;
}

const MAX_SLOTS = 256;

/** Splits one setting into its hosts; `where` names the flag or variable in errors. */
export function parseHostEntries(raw: string, where: string, defaultSlots: number): HostSpec[] {
  const entries = raw.split(',').map((s) => s.trim());
  if (entries.some((e) => e === '')) throw new InputError(`${where}=${JSON.stringify(raw)}`, 'expected hosts separated by single commas, e.g. a:11434#4,b:11434#2');
  return entries.map((entry) => {
    const hash = entry.lastIndexOf('#');
    if (hash < 0) return { address: entry, slots: defaultSlots, where };
    const count = entry.slice(hash + 1);
    const slots = /^\d+$/.test(count) ? Number(count) : Number.NaN;
    if (!Number.isInteger(slots) || slots < 1 || slots > MAX_SLOTS) {
      throw new InputError(`${where}=${JSON.stringify(raw)}`, `expected a slot count 1..${MAX_SLOTS} after '#' in '${entry}', e.g. gpu-box:11434#4`);
    }
    return { address: entry.slice(0, hash), slots, where };
  });
}

/**
 * The hosts of a run: every `--host` value (repeated flags and commas), else the environment
 * variable, else none (the backend's own default applies).
 */
export function hostSpecs(flags: readonly string[] | string | undefined, envName: string, defaultSlots: number, env: NodeJS.ProcessEnv = process.env): HostSpec[] {
  const values = (typeof flags === 'string' ? [flags] : (flags ?? [])).filter((v) => v.trim() !== '');
  if (values.length > 0) return values.flatMap((v) => parseHostEntries(v, '--host', defaultSlots));
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseHostEntries(fromEnv, envName, defaultSlots);
  return [];
}

/** Requests in flight across all hosts: the engine's concurrency for a pooled run. */
export function totalSlots(specs: readonly HostSpec[]): number {
  return specs.reduce((n, s) => n + s.slots, 0);
}

/** The environment variable that names hosts for a model: OPENAI_BASE_URL for `openai:` models, else OLLAMA_HOST. */
export function hostVariable(model: string): string {
  return model.startsWith('openai:') ? 'OPENAI_BASE_URL' : 'OLLAMA_HOST';
}

/**
 * The hosts of a run that uses more than one (undefined for one host or the embedded simulator),
 * with the engine's concurrency: every host's slots together. Without `#N` a host gets
 * `--concurrency` slots, else 1 on Ollama (OLLAMA_NUM_PARALLEL's old default) and 4 elsewhere.
 */
export function hostPool(model: string, hostFlag: string | undefined, concurrencyFlag: number | undefined, env: NodeJS.ProcessEnv = process.env): { specs: HostSpec[]; concurrency: number } | undefined {
  if (model.startsWith('sim:') || model.startsWith('openai:sim:')) return undefined;
  const defaultSlots = concurrencyFlag ?? (model.startsWith('openai:') ? 4 : 1);
  const specs = hostSpecs(hostFlag, hostVariable(model), defaultSlots, env);
  if (specs.length === 0) return undefined;
  const explicit = (hostFlag ?? env[hostVariable(model)] ?? '').includes('#');
  if (specs.length === 1 && !explicit) return undefined;
  return { specs, concurrency: totalSlots(specs) };
}
