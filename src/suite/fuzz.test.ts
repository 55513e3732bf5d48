import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { validateSuite, ValidationError } from './index.ts';

/**
 * Whatever a suite file holds, validation either returns a suite or throws one InputError whose
 * lines all read `file: /pointer: ...`: never a crash, never an empty or multi-line problem.
 */
const valid = {
  name: 'fuzz',
  problems: [{ id: 'a', question: 'q', answer: '1' }, { family: 'arithmetic-chain', count: 2 }],
  interventions: [{ type: 'baseline' }, { type: 'budget', tokens: 64 }, { type: 'earlyExit', method: 'dynasor', every: 64 }],
  checks: [{ type: 'accuracyAtLeast', min: 0.5 }, { type: 'noRegression' }],
};

const LINE = /^suite\.yaml: \/[^\n]*: [^\n]+$/;

function check(value: unknown): void {
  try {
    validateSuite(value, 'suite.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    if (!(error instanceof ValidationError)) throw error;
    expect(error.lines.length).toBeGreaterThan(0);
    for (const line of error.lines) expect(line).toMatch(LINE);
  }
}

/** The valid suite with one value somewhere replaced by something arbitrary. */
function mutate(base: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(base)) {
    const copy = [...base];
    const i = Number(head) % Math.max(1, copy.length);
    copy[i] = mutate(copy[i], rest, replacement);
    return copy;
  }
  if (typeof base === 'object' && base !== null) {
    const record = base as Record<string, unknown>;
    const keys = Object.keys(record);
    const key = typeof head === 'string' || keys.length === 0 ? String(head) : keys[head! % keys.length]!;
    return { ...record, [key]: mutate(record[key], rest, replacement) };
  }
  return replacement;
}

describe('validation never crashes', () => {
  it('on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => check(value)), { numRuns: 300, seed: 1 });
  });

  it('on a valid suite with one value replaced', () => {
    const step = fc.oneof(fc.nat(20), fc.constantFrom('type', 'tokens', 'min', 'label', 'problems', 'checks', 'interventions', 'method', 'x'));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 4 }), fc.jsonValue(), (path, replacement) => check(mutate(valid, path, replacement))),
      { numRuns: 500, seed: 2 },
    );
  });

  it('accepts the base suite', () => {
    expect(validateSuite(valid, 'suite.yaml').name).toBe('fuzz');
  });
});
