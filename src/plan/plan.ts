import { createHash } from 'node:crypto';
import type { SamplingSettings } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import type { Problem } from '../problems/problem.ts';
import type { ChatTemplate } from '../templates/template.ts';

/**
 * The plan: one trace tree per problem x prompt variant x sample. Interventions that keep the
 * prompt share their problem's trunk; those that change the user turn (`userSuffix`) get a trunk
 * of their own. Identical interventions (same label) collapse into one; identical nodes inside a
 * tree are content-addressed by the engine (hash of model, digest, raw prompt, options, seed,
 * logprob settings, sample namespace).
 */

/**
 * What the plan needs of an intervention: its label, its parameters (two interventions with one
 * label must agree on them) and its prompt variant. The engine runs the full `Intervention`
 * (src/engine/intervention.ts); the plan only groups them, so it stays below the engine.
 */
export interface PlannableIntervention {
  readonly params: unknown;
  readonly userSuffix?: string | undefined;
  describe(): string;
}

export interface PlannedTree<I extends PlannableIntervention = PlannableIntervention> {
  /** Content address of the trunk: model, digest, raw prompt, sampling, seed, namespace. */
  key: string;
  problem: Problem;
  sample: number;
  seed: number;
  /** Cache namespace of the sample: samples never collapse into one answer. */
  namespace: string;
  userSuffix: string;
  /** The rendered raw prompt (template applied). */
  prompt: string;
  interventions: I[];
}

export interface PlanInput<I extends PlannableIntervention = PlannableIntervention> {
  model: string;
  digest: string;
  problems: readonly Problem[];
  interventions: readonly I[];
  samples: number;
  seed: number;
  sampling: SamplingSettings;
  template: ChatTemplate;
  system?: string;
}

/** A 31-bit seed per sample index, stable and spread out (FNV-1a of run seed and index). */
export function sampleSeed(seed: number, sample: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${sample}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

export function hashKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

export function compilePlan<I extends PlannableIntervention>(input: PlanInput<I>): PlannedTree<I>[] {
  if (!Number.isInteger(input.samples) || input.samples < 1) throw new InputError('samples', `expected an integer >= 1, got ${input.samples}`);
  if (input.interventions.length === 0) throw new InputError('interventions', 'expected at least one intervention');
  const seenIds = new Set<string>();
  for (const p of input.problems) {
    if (seenIds.has(p.id)) throw new InputError(`problems/${p.id}`, 'duplicate problem id; ids must be unique');
    seenIds.add(p.id);
  }
  // Identical interventions collapse (same label and params).
  const unique = new Map<string, I>();
  for (const iv of input.interventions) {
    const label = iv.describe();
    const prev = unique.get(label);
    if (prev && JSON.stringify(prev.params) !== JSON.stringify(iv.params)) {
      throw new InputError(`interventions/${label}`, 'two different interventions have the same label');
    }
    if (!prev) unique.set(label, iv);
  }
  const variants = new Map<string, I[]>();
  for (const iv of unique.values()) {
    const suffix = iv.userSuffix ?? '';
    variants.set(suffix, [...(variants.get(suffix) ?? []), iv]);
  }
  const trees: PlannedTree<I>[] = [];
  for (const problem of input.problems) {
    for (let sample = 0; sample < input.samples; sample++) {
      const seed = sampleSeed(input.seed, sample);
      const namespace = `sample:${sample}`;
      for (const [userSuffix, interventions] of variants) {
        const prompt = input.template.render({
          question: problem.question,
          ...(input.system === undefined ? {} : { system: input.system }),
          ...(userSuffix === '' ? {} : { userSuffix }),
        });
        const key = hashKey([input.model, input.digest, prompt, input.sampling, seed, namespace]);
        trees.push({ key, problem, sample, seed, namespace, userSuffix, prompt, interventions });
      }
    }
  }
  return trees;
}
