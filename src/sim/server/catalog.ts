/**
 * The models a simulator server serves: one per card, under its card name (`sim-qwq`,
 * `sim-qwq:latest`, case-insensitive like Ollama's name lookup), with a digest that is the SHA-256
 * of the card's JSON and the behaviour model's sources (so changing either is like pulling new
 * weights). Models are built on first use.
 */
import { createHash } from 'node:crypto';
import { behaviourFingerprint } from '../model/fingerprint.ts';
import type { SimModel } from '../model/types.ts';

export interface CatalogEntry {
  /** Card name, e.g. "sim-qwq". */
  name: string;
  /** The card as JSON-serialisable data (hashed for the digest). */
  card: unknown;
  create(): SimModel;
}

export interface ServedModel {
  name: string;
  /** "<name>:latest", the way /api/tags lists it. */
  fullName: string;
  digest: string;
  size: number;
  modifiedAt: string;
  model(): SimModel;
}

export class ModelCatalog {
  private readonly byName = new Map<string, ServedModel>();
  private readonly loaded = new Map<string, number>();

  constructor(entries: readonly CatalogEntry[], modifiedAt = new Date().toISOString()) {
    for (const entry of entries) {
      const json = JSON.stringify(entry.card);
      let built: SimModel | undefined;
      const served: ServedModel = {
        name: entry.name,
        fullName: `${entry.name}:latest`,
        digest: createHash('sha256').update(json).update(behaviourFingerprint()).digest('hex'),
        size: Buffer.byteLength(json),
        modifiedAt,
        model: () => {
          built ??= entry.create();
          return built;
        },
      };
      this.byName.set(entry.name.toLowerCase(), served);
    }
  }

  /** Resolves "name" or "name:latest" (any case); anything else is not found, as in Ollama. */
  find(requested: string): ServedModel | undefined {
    const lower = requested.trim().toLowerCase();
    const name = lower.endsWith(':latest') ? lower.slice(0, -':latest'.length) : lower;
    if (name.includes(':')) return undefined;
    return this.byName.get(name);
  }

  list(): ServedModel[] {
    return [...this.byName.values()];
  }

  /** Marks a model as loaded (for /api/ps). */
  touch(served: ServedModel): void {
    this.loaded.set(served.name.toLowerCase(), Date.now());
  }

  /** Unloads a model (keep_alive 0): it leaves /api/ps. */
  unload(served: ServedModel): void {
    this.loaded.delete(served.name.toLowerCase());
  }

  running(): { served: ServedModel; lastUsed: number }[] {
    const out: { served: ServedModel; lastUsed: number }[] = [];
    for (const [key, lastUsed] of this.loaded) {
      const served = this.byName.get(key);
      if (served) out.push({ served, lastUsed });
    }
    return out.sort((a, b) => b.lastUsed - a.lastUsed);
  }
}
