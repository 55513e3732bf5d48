import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The simulator's "weights" are its code: the behaviour model, its tokenizer and the problem
 * families it reasons about. Hashing their sources into every served model's digest means a change
 * of behaviour shows up where a re-pulled Ollama model would: in the digest that cache keys and
 * golden baselines record.
 */
export function sourcesOf(folder: URL): string[] {
  const dir = fileURLToPath(folder);
  return readdirSync(dir)
    .filter((name) => (name.endsWith('.ts') || name.endsWith('.json')) && !name.endsWith('.test.ts'))
    .sort()
    .map((name) => `${name}\n${readFileSync(`${dir}/${name}`, 'utf8')}`);
}

let cached: string | undefined;

export const FINGERPRINTED = [new URL('./', import.meta.url), new URL('../../problems/families/', import.meta.url)];

export function behaviourFingerprint(): string {
  cached ??= createHash('sha256').update(FINGERPRINTED.flatMap(sourcesOf).join('\u0000')).digest('hex');
  return cached;
}
