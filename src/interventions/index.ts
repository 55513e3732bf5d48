import { InputError } from '../core/errors.ts';
import { baseline } from './baseline.ts';
import { budget, BUDGET_CLOSES } from './budget.ts';
import { earlyExit } from './earlyExit.ts';
import { extend } from './extend.ts';
import { injectReflection } from './injectReflection.ts';
import { noThinking } from './noThinking.ts';
import { ParamReader } from './params.ts';
import { probes } from './probes.ts';
import { softBudget } from './softBudget.ts';
import { stopInstruction } from './stopInstruction.ts';
import { stopPhrase } from './stopPhrase.ts';
import { suppressReflection } from './suppressReflection.ts';
import type { Intervention } from '../engine/intervention.ts';

export { baseline, baselineOutput } from './baseline.ts';
export { budget, S1_CLOSE, QWEN3_CLOSE, BUDGET_CLOSES } from './budget.ts';
export { earlyExit, EXIT_CLOSE, type EarlyExitOptions } from './earlyExit.ts';
export { extend } from './extend.ts';
export { injectReflection } from './injectReflection.ts';
export { noThinking, NO_THINKING_PREFILL } from './noThinking.ts';
export { probes, type ProbesOptions } from './probes.ts';
export { softBudget } from './softBudget.ts';
export { stopInstruction, NO_THINK_INSTRUCTION } from './stopInstruction.ts';
export { stopPhrase, RAML_STOP_PHRASE } from './stopPhrase.ts';
export { suppressReflection } from './suppressReflection.ts';
export { InterventionContext } from '../engine/context.ts';
export { REFLECTION_WORDS, NOWAIT_WORDS, PROBE_SUFFIXES, reflectionScanner } from './words.ts';
export * as primitives from './primitives.ts';
export type { Intervention, InterventionOutput, Injection, Params, JsonValue } from '../engine/intervention.ts';

type Builder = (r: ParamReader, where: string) => Intervention;

const BUILDERS: Record<string, { allowed: string[]; build: Builder }> = {
  baseline: { allowed: [], build: () => baseline() },
  noThinking: { allowed: ['prefill'], build: (r) => noThinking(opt({ prefill: r.str('prefill') })) },
  stopPhrase: { allowed: ['phrase'], build: (r) => stopPhrase(opt({ phrase: r.str('phrase', { nonEmpty: true }) })) },
  stopInstruction: { allowed: ['text'], build: (r) => stopInstruction(opt({ text: r.str('text', { nonEmpty: true }) })) },
  budget: {
    allowed: ['tokens', 'close', 'answerTokens'],
    build: (r) =>
      budget(
        opt({
          tokens: r.int('tokens', { min: 1, required: true }) as number,
          close: r.str('close', { nonEmpty: true }),
          answerTokens: r.int('answerTokens', { min: 1 }),
        }),
      ),
  },
  extend: {
    allowed: ['times', 'word', 'budget'],
    build: (r) => extend(opt({ times: r.int('times', { min: 1 }), word: r.str('word', { nonEmpty: true }), budget: r.int('budget', { min: 1 }) })),
  },
  injectReflection: {
    allowed: ['word', 'at', 'fraction', 'paragraphs', 'max'],
    build: (r, where) => {
      const at = r.int('at', { min: 1 });
      const fraction = r.num('fraction', { min: 0, max: 1 });
      const paragraphs = r.bool('paragraphs');
      const modes = [at !== undefined, fraction !== undefined, paragraphs === true].filter(Boolean).length;
      if (modes !== 1) throw new InputError(where, 'injectReflection needs exactly one of at (token), fraction (0..1) or paragraphs: true');
      return injectReflection(opt({ word: r.str('word', { nonEmpty: true }), at, fraction, paragraphs, max: r.int('max', { min: 1 }) }));
    },
  },
  suppressReflection: {
    allowed: ['words', 'maxSubstitutions'],
    build: (r) => suppressReflection(opt({ words: r.strings('words'), maxSubstitutions: r.int('maxSubstitutions', { min: 1 }) })),
  },
  softBudget: {
    allowed: ['tokens', 'text'],
    build: (r) => softBudget(opt({ tokens: r.int('tokens', { min: 1, required: true }) as number, text: r.str('text', { nonEmpty: true }) })),
  },
  earlyExit: {
    allowed: ['method', 'threshold', 'words', 'every', 'window'],
    build: (r, where) => {
      const method = r.str('method', { default: 'deer' });
      if (method === 'deer') {
        if (r.raw.every !== undefined || r.raw.window !== undefined) throw new InputError(where, 'every/window belong to method "dynasor"');
        return earlyExit(opt({ method: 'deer' as const, threshold: r.num('threshold', { min: 0, max: 1 }), words: r.strings('words') }));
      }
      if (method === 'dynasor') {
        if (r.raw.threshold !== undefined || r.raw.words !== undefined) throw new InputError(where, 'threshold/words belong to method "deer"');
        return earlyExit(opt({ method: 'dynasor' as const, every: r.int('every', { min: 1 }), window: r.int('window', { min: 1 }) }));
      }
      throw new InputError(`${where}.method`, `expected "deer" or "dynasor", got ${JSON.stringify(method)}`);
    },
  },
  probes: {
    allowed: ['every', 'at', 'words', 'suffix', 'tokens', 'on'],
    build: (r, where) => {
      const every = r.int('every', { min: 1 });
      const at = r.numbers('at', 0, 1);
      const words = r.bool('words');
      const modes = [every !== undefined, at !== undefined, words === true].filter(Boolean).length;
      if (modes !== 1) throw new InputError(where, 'probes needs exactly one of every (tokens), at (fractions) or words: true');
      const on = r.raw.on === undefined ? baseline() : interventionFromSpec(r.raw.on, `${where}.on`);
      if (on.type === 'probes') throw new InputError(`${where}.on`, 'probes cannot wrap probes');
      return probes(opt({ every, at, words, suffix: r.str('suffix', { nonEmpty: true }), tokens: r.int('tokens', { min: 1 }) }), on);
    },
  },
};

/** Drops undefined fields (exactOptionalPropertyTypes-friendly option objects). */
function opt<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export const INTERVENTION_TYPES = Object.keys(BUILDERS);

/**
 * Builds an intervention from its JSON form, e.g. `{ "type": "budget", "tokens": 512 }`.
 * `where` names the suite field for errors, e.g. `suites/a.yaml: /interventions/2`.
 */
export function interventionFromSpec(spec: unknown, where = 'intervention'): Intervention {
  if (typeof spec === 'string') spec = { type: spec };
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new InputError(where, `expected an object like { "type": "budget", "tokens": 512 }, got ${JSON.stringify(spec)}`);
  }
  const raw = spec as Record<string, unknown>;
  const type = raw.type;
  if (typeof type !== 'string' || !(type in BUILDERS)) {
    throw new InputError(`${where}.type`, `expected one of ${INTERVENTION_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  const entry = BUILDERS[type] as { allowed: string[]; build: Builder };
  if (type === 'budget' && typeof raw.close === 'string' && raw.close === '') {
    throw new InputError(`${where}.close`, `expected ${Object.keys(BUDGET_CLOSES).join(' or ')} or a closing text`);
  }
  return entry.build(new ParamReader(where, raw, entry.allowed), where);
}
