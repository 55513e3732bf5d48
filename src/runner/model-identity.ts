import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend, ModelInfo } from '../backends/backend.ts';
import type { HostState } from '../backends/pool.ts';
import { InputError } from '../core/errors.ts';

/**
 * Which model a run was generated with, per host, kept in the run folder beside its store
 * (`model.json`, written before any work). The run's identity leaves the hosts out (a study may
 * resume on other machines), so a resume could otherwise meet a different model served under the
 * same name: its cache keys would all miss and the run would silently become another study. At
 * resume the digest the servers report now must equal the recorded one; else exit 2 with one
 * line, and `--fresh` starts a new run instead.
 *
 * Digests: Ollama's from /api/tags; OpenAI-compatible servers report none, so theirs hashes the
 * /v1/models entry (id, root: the weights' path on vLLM, max_model_len, owned_by).
 */

export interface ModelIdentity {
  model: string;
  digest: string;
  hosts: Array<{ url: string; digest: string }>;
}

export const MODEL_IDENTITY_FILE = 'model.json';

function poolHosts(backend: Backend): HostState[] | undefined {
  const hosts = (backend as { hosts?: unknown }).hosts;
  return typeof hosts === 'function' ? (hosts.call(backend) as HostState[]) : undefined;
}

/** The model and each usable host's digest, as preflight (describe) found them. */
export function modelIdentity(model: string, info: ModelInfo, backend: Backend): ModelIdentity {
  const pooled = poolHosts(backend);
  const hosts = pooled
    ? pooled.flatMap((h) => (h.digest === undefined ? [] : [{ url: h.url, digest: h.digest }]))
    : [{ url: backend.label, digest: info.digest }];
  return { model, digest: info.digest, hosts };
}

function readIdentity(file: string): ModelIdentity | undefined {
  let parsed: Partial<ModelIdentity>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ModelIdentity>;
  } catch {
    throw new InputError(file, 'expected the JSON thinkprobe wrote there (model and digest of the interrupted run); rerun with --fresh to start a new run');
  }
  if (typeof parsed.digest !== 'string' || typeof parsed.model !== 'string') throw new InputError(file, 'expected fields model and digest; rerun with --fresh to start a new run');
  return { model: parsed.model, digest: parsed.digest, hosts: Array.isArray(parsed.hosts) ? parsed.hosts : [] };
}

/** At resume: the recorded model must be the one the servers serve now. A first run (or one recorded before this file existed) passes. */
export function checkResumedModel(runDir: string, resumed: boolean, now: ModelIdentity): void {
  const file = join(runDir, MODEL_IDENTITY_FILE);
  if (!resumed || !existsSync(file)) return;
  const then = readIdentity(file);
  if (!then || then.digest === now.digest) return;
  const where = (identity: ModelIdentity): string => identity.hosts.map((h) => h.url).join(', ') || 'its server';
  throw new InputError(
    file,
    `the interrupted run used '${then.model}' with digest ${then.digest} (on ${where(then)}), but ${where(now)} now serve${now.hosts.length === 1 ? 's' : ''} '${now.model}' as ${now.digest}; serve the same model to resume, or rerun with --fresh to start a new run`,
  );
}

/** Written once, before any work, atomically; a resumed run keeps its first record. */
export function recordModel(runDir: string, identity: ModelIdentity): void {
  const file = join(runDir, MODEL_IDENTITY_FILE);
  if (existsSync(file)) return;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(identity, null, 2)}\n`, 'utf8');
  renameSync(temp, file);
}
