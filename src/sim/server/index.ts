/**
 * `startSimServer`: the simulator behind Ollama's HTTP API, in-process (tests, benchmarks, the
 * embedded default of `thinkprobe run`) or from `thinkprobe sim`.
 */
import { InputError } from '../../core/errors.ts';
import { builtinCards, createSimModel, loadAnswerKey, loadCard, type AnswerKeyEntry, type ModelCard } from '../model/index.ts';
import { datasetOf } from '../model/answers.ts';
import type { SimModel } from '../model/types.ts';
import { ModelCatalog, type CatalogEntry } from './catalog.ts';
import { parseFaults } from './faults.ts';
import { parseLatency } from './latency.ts';
import { listen, simOllamaVersion, type SimStats } from './server.ts';

export type { SimStats } from './server.ts';
export { simOllamaVersion } from './server.ts';


export interface SimServerOptions {
  /** 0 = any free port (then read `port` from the result). Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** KV-cache slots = concurrent generations, like OLLAMA_NUM_PARALLEL. Default 1 (Ollama's default). */
  parallel?: number;
  /** A card name or JSON file, served besides the built-in cards. */
  card?: string;
  /** JSONL answer key file the models know. */
  answers?: string;
  /** Fault spec, e.g. `http500=0.1,cut=0.05,seed=7` (see faults.ts). */
  faults?: string;
  /** Latency spec, e.g. `prefill=0.05ms,decode=2ms`. */
  latency?: string;
  /** Already loaded cards, served besides the built-in ones (a card with a built-in's name replaces it). */
  cards?: ModelCard[];
  /** Already loaded answer entries (added to those of `answers`). */
  answerEntries?: AnswerKeyEntry[];
  /** Requests allowed to wait for a slot before 503 (OLLAMA_MAX_QUEUE). Default 512. */
  maxQueue?: number;
  /** Where one-line reports of simulator bugs go (never to clients). Default: stderr. */
  onInternalError?: (line: string) => void;
  /** Where one-line notices go, e.g. a problem the simulator has no answer for. Default: nowhere (`thinkprobe sim` logs them to stderr). */
  onNotice?: (line: string) => void;
}

export interface SimServer {
  /** e.g. "http://127.0.0.1:43121". */
  url: string;
  port: number;
  host: string;
  /** The Ollama version string /api/version reports. */
  version: string;
  stats(): SimStats;
  close(): Promise<void>;
}

function positiveInteger(where: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new InputError(where, `expected a positive integer, got ${String(value)}`);
  return value;
}

/**
 * An answer-key entry as `--answers` would read it from its dataset file: a GSM8K item is level 2
 * and an AIME item level 5 when its row gives no level (src/sim/model/answers.ts). Entries built
 * from a suite's problems (the in-process `sim:` path) carry only the dataset's name as `source`;
 * without this they would fall to the default level 3, and the same suite, seed and card would
 * give other results in-process than over HTTP.
 */
export function withDatasetLevel(entry: AnswerKeyEntry): AnswerKeyEntry {
  if (entry.difficulty !== undefined) return entry;
  const dataset = datasetOf(entry);
  const difficulty = dataset === 'gsm8k' ? 2 : dataset === 'aime' ? 5 : undefined;
  return difficulty === undefined || dataset === undefined ? entry : { ...entry, difficulty, dataset };
}

/** The catalog entries: built-in cards, then `card` / `cards` (replacing a built-in of the same name). */
export async function catalogEntries(options: Pick<SimServerOptions, 'card' | 'cards' | 'answers' | 'answerEntries'> = {}): Promise<CatalogEntry[]> {
  const answers: AnswerKeyEntry[] = [...(options.answers !== undefined ? loadAnswerKey(options.answers) : []), ...(options.answerEntries ?? []).map(withDatasetLevel)];
  const cards = new Map<string, ModelCard>();
  for (const name of builtinCards) {
    const card = loadCard(name);
    cards.set(card.name, card);
  }
  if (options.card !== undefined) {
    const card = loadCard(options.card);
    cards.set(card.name, card);
  }
  for (const card of options.cards ?? []) cards.set(card.name, card);
  return [...cards.values()].map((card) => ({ name: card.name, card, create: (): SimModel => createSimModel(card, { answers }) }));
}

/** One served model by card name, without a server (benchmarks, truth checks). */
export async function loadServedModel(name: string, answers: AnswerKeyEntry[] = []): Promise<SimModel> {
  return createSimModel(loadCard(name), { answers });
}

export async function startSimServer(options: SimServerOptions = {}): Promise<SimServer> {
  // Parse everything before listening, so a bad flag never leaves a half-started server.
  const faults = parseFaults(options.faults);
  const latency = parseLatency(options.latency);
  const parallel = positiveInteger('--parallel', options.parallel, 1);
  const maxQueue = options.maxQueue ?? 512;
  const catalog = new ModelCatalog(await catalogEntries(options));
  const running = await listen(
    {
      catalog,
      parallel,
      maxQueue,
      faults,
      latency,
      onInternalError: options.onInternalError ?? ((line) => process.stderr.write(`${line}\n`)),
      ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    },
    options.port ?? 0,
    options.host ?? '127.0.0.1',
  );
  return { url: running.url, port: running.port, host: running.host, version: simOllamaVersion, stats: running.stats, close: running.close };
}
