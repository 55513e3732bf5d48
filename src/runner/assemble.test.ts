import { afterAll, describe, expect, it } from 'vitest';
import type { Result } from '../core/model.ts';
import { createGrader } from '../grading/grader.ts';
import { checkRow, gradeRecord, reportResult } from './assemble.ts';

/** One Result from the engine to the reports: grading fills its fields, the views drop what they must. */

const layout = { delims: { thinkOpen: '<think>', thinkClose: '</think>' }, opensInPrompt: true };
const tok = (...texts: string[]) => texts.map((text) => ({ text, logprob: -0.1 }));
const problem = { id: 'p1', question: 'six times seven?', answer: '42' };
const grader = createGrader({ workers: 1 });
afterAll(() => grader.close());

/** An engine result as buildRow writes it: ungraded (`correct` null), the engine's own extraction. */
function engineResult(overrides: Partial<Result> = {}): Result {
  const generated = ['Six', ' sevens', '.', ' Wait', ',', ' 42', '.', '</think>', 'So', ' \\boxed{42}'];
  return {
    key: 'p1|capped|0',
    runId: 'r',
    problemId: 'p1',
    sample: 0,
    seed: 7,
    tree: 't',
    intervention: { type: 'budget', label: 'capped', params: { type: 'budget', tokens: 64 } },
    trace: [
      { kind: 'prompt', text: 'Q<think>\n' },
      { kind: 'generated', text: generated.join(''), tokens: tok(...generated) },
    ],
    thinking: 'Six sevens. Wait, 42.',
    answer: 'So \\boxed{42}',
    extracted: 'engine-read',
    correct: null,
    counts: { thinking: 7, answer: 2, generated: 10, injected: null, injectedChars: 0 },
    capFired: false,
    cap: null,
    exit: null,
    probes: [
      { position: 2, kind: 'probe', suffix: 's', text: '42}', answer: '42', meanProb: 0.5, tokens: 2 },
      { position: 5, kind: 'probe', suffix: 's', text: '42}', answer: '42', meanProb: 0.9, tokens: 2 },
    ],
    injections: [],
    substitutions: [],
    notes: [],
    cost: { alone: { prefill: 5, decoded: 10, total: 15 }, tree: { prefill: 2, decoded: 4, wallMs: 3, total: 6 } },
    ...overrides,
  };
}

describe('a result through grading and its views', () => {
  it('grading fills the same result: the engine fields stay, correct/extracted/confidence/reflections are set', async () => {
    const record = engineResult();
    const lhat = [
      { position: 2, lhat: 1.5, pReference: 0.2, bounded: false, alternatives: { returned: 5, asked: 5 } },
      { position: 5, lhat: 0.4, pReference: 0.7, bounded: true, alternatives: { returned: 3, asked: 5 } },
    ];
    const graded = await gradeRecord(record, problem, grader, layout, lhat);
    const { correct: _c, extracted: _e, ...engineFields } = record;
    expect(graded).toMatchObject(engineFields);
    expect(graded.correct).toBe(true);
    expect(graded.extracted).toBe('42');
    expect(graded.reflections).toEqual([{ position: 3, word: 'Wait' }]);
    expect(graded.confidence.map((p) => [p.position, p.lhat, p.bounded])).toEqual([
      [2, 1.5, undefined],
      [5, 0.4, true],
    ]);
    expect(graded.probeBounds).toEqual({ probes: 2, bounded: 1, alternatives: 5, asked: 5 });
    // The input is not changed: the store's copy stays the engine's.
    expect(record.correct).toBeNull();
    expect(record.confidence).toBeUndefined();
  });

  it('a result whose thinking never closed is wrong with no answer, and its check row says so', async () => {
    const graded = await gradeRecord(engineResult({ answer: '', extracted: null, error: 'problem p1: prompt over num_ctx' }), problem, grader, layout);
    expect(graded.correct).toBe(false);
    expect(graded.extracted).toBeNull();
    const row = checkRow(graded);
    expect(row).not.toHaveProperty('answer');
    expect(row.error).toBe('problem p1: prompt over num_ctx');
    expect(row.probeBounds).toBeUndefined();
  });

  it('the check row is flat, by label, and leaves bounded L-hat points out; the report row keeps them', async () => {
    const lhat = [
      { position: 2, lhat: 1.5, pReference: 0.2, bounded: false },
      { position: 5, lhat: 0.4, pReference: 0.7, bounded: true },
    ];
    const graded = await gradeRecord(engineResult(), problem, grader, layout, lhat);
    const row = checkRow(graded);
    expect(row).toMatchObject({ problemId: 'p1', intervention: 'capped', sample: 0, correct: true, answer: '42', thinkingTokens: 7, answerTokens: 2, capFired: false });
    expect(row.confidence).toEqual([{ position: 2, normalized: 2 / 7, lhat: 1.5, pCorrect: 0.2 }]);
    expect(row).not.toHaveProperty('trace');
    const { summary, trace } = reportResult(graded, 3);
    expect(summary).toMatchObject({ intervention: 'capped', answer: '42', trace: 3 });
    expect(summary.confidence.map((p) => p.bounded)).toEqual([undefined, true]);
    expect(trace.probes.map((p) => p.position)).toEqual([2, 5]);
    expect(trace.segments[1]).toEqual({ kind: 'generated', text: graded.trace[1]!.text });
  });

  it('probe markers sit at the offsets grading recorded; a record without them counts every generated token', async () => {
    const graded = await gradeRecord(engineResult(), problem, grader, layout);
    // 'Six' + ' sevens' = 10 characters after 2 thinking tokens, 'Six sevens. Wait,' = 17 after 5.
    expect(reportResult(graded, 0).trace.probes.map((p) => p.offset)).toEqual([10, 17]);
    const older = { ...graded, confidence: [{ position: 5, normalized: 5 / 7 }, { position: 99, normalized: 1 }, graded.confidence[0]!] };
    // Position 99 is past the last token: the marker goes to the end of the text (42 characters).
    expect(reportResult(older, 0).trace.probes.map((p) => p.offset)).toEqual([17, 42, 10]);
  });
});
