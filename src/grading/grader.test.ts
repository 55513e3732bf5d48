import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Problem } from '../problems/problem.ts';
import { createGrader, gradeProblem, isEquivalent } from './index.ts';

// Summing ten million terms symbolically does not finish in any reasonable time in the engine.
const SLOW = '\\sum_{n=1}^{10^{7}} n';

describe('createGrader', () => {
  const grader = createGrader({ timeoutMs: 20_000 });
  afterAll(() => grader.close());

  it('answers exact cases on the fast path without a worker round trip', async () => {
    expect(await grader.gradeDetailed('025', '25')).toEqual({ equivalent: true, method: 'exact' });
    expect(await grader.gradeDetailed('0.67', '\\frac23')).toEqual({ equivalent: false, method: 'exact' });
  });

  it('sends the rest to the symbolic engine in a worker', async () => {
    expect(await grader.gradeDetailed('2\\sqrt{2}', '\\sqrt{8}')).toEqual({ equivalent: true, method: 'symbolic' });
    expect(await grader.gradeDetailed('(x+1)^2', 'x^2+2x+1')).toEqual({ equivalent: true, method: 'symbolic' });
    expect(await grader.gradeDetailed('\\pi', '3.14')).toEqual({ equivalent: false, method: 'symbolic' });
  });

  it('keeps answers in order under concurrency', async () => {
    const pairs: [string, string, boolean][] = [
      ['\\sqrt{12}', '2\\sqrt{3}', true],
      ['\\sqrt{12}', '3\\sqrt{2}', false],
      ['\\frac{\\sqrt{3}}{2}', '\\sin 60^\\circ', true],
      ['2k+2', '2(k+1)', true],
      ['2k+2', '2(k+2)', false],
    ];
    const results = await Promise.all(pairs.map(([g, p]) => grader.grade(g, p)));
    expect(results).toEqual(pairs.map(([, , e]) => e));
  });
});

describe('the time bound', () => {
  it('counts a comparison that runs out of time as not equivalent and replaces the worker', async () => {
    const grader = createGrader({ timeoutMs: 300 });
    try {
      expect(await grader.gradeDetailed(SLOW, `${SLOW}+1`)).toEqual({ equivalent: false, method: 'timeout' });
      // The replacement worker serves the next comparison.
      expect(await grader.gradeDetailed('\\sqrt{18}', '3\\sqrt{2}')).toEqual({ equivalent: true, method: 'symbolic' });
    } finally {
      await grader.close();
    }
  });

  it('resolves pending comparisons as not equivalent on close', async () => {
    const grader = createGrader({ timeoutMs: 60_000 });
    const pending = grader.gradeDetailed(SLOW, `${SLOW}+2`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await grader.close();
    expect((await pending).equivalent).toBe(false);
    expect(await grader.grade('\\sqrt{2}', '\\sqrt{2}+0')).toBe(false);
  });
});

describe('broken workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-grader-'));
  function script(name: string, body: string): URL {
    const file = join(dir, name);
    writeFileSync(file, body);
    return pathToFileURL(file);
  }

  it('rejects (does not silently fail answers) when the worker cannot start', async () => {
    const grader = createGrader({ workerUrl: script('broken.mjs', "throw new Error('no engine here');\n") });
    try {
      await expect(grader.grade('\\sqrt{2}', '\\sqrt{3}')).rejects.toThrow(/grading worker failed to start: no engine here/);
      // The fast path does not need a worker.
      expect(await grader.grade('1', '1.0')).toBe(true);
    } finally {
      await grader.close();
    }
  });

  it('counts a comparison whose worker dies as not equivalent, and carries on with a new worker', async () => {
    const url = script(
      'dies-on-x.mjs',
      `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (job) => {
  if (job.gold.includes('x')) process.exit(7);
  parentPort.postMessage({ id: job.id, equivalent: true });
});
parentPort.postMessage({ ready: true });
`,
    );
    const grader = createGrader({ workerUrl: url });
    try {
      expect(await grader.gradeDetailed('x^2', 'x\\cdot x')).toEqual({ equivalent: false, method: 'worker-error' });
      expect(await grader.gradeDetailed('\\sqrt{4}', '\\sqrt{2}\\sqrt{2}')).toEqual({ equivalent: true, method: 'symbolic' });
    } finally {
      await grader.close();
    }
  });
});

describe('isEquivalent', () => {
  it('uses the shared grader for symbolic cases', async () => {
    expect(await isEquivalent('\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}')).toBe(true);
    expect(await isEquivalent('123456', '123457')).toBe(false);
  });
});

describe('gradeProblem', () => {
  const problem: Problem = { id: 'p1', question: 'What is 1/2 + 1/4?', answer: '\\frac{3}{4}' };
  const grader = createGrader({ timeoutMs: 20_000 });
  afterAll(() => grader.close());

  it('grades the boxed answer after the thinking', async () => {
    const output = 'Let me think... \\boxed{0.5}? No.</think>\n\nSo the answer is \\boxed{0.75}.';
    expect(await gradeProblem(problem, output, { thinkClose: '</think>', grader })).toEqual({ extracted: '0.75', correct: true, method: 'boxed' });
  });

  it('never grades the thinking: no close, no answer, not correct', async () => {
    expect(await gradeProblem(problem, 'Hmm \\boxed{\\frac34}', { thinkClose: '</think>', grader })).toEqual({ correct: false });
  });

  it('marks a wrong answer wrong', async () => {
    expect(await gradeProblem(problem, '</think>\\boxed{\\frac{2}{3}}', { thinkClose: '</think>', grader })).toMatchObject({ correct: false, extracted: '\\frac{2}{3}' });
  });

  it('grades multiple choice by letter, with the gold given as a letter or as the choice text', async () => {
    const mc: Problem = { id: 'mc', question: 'Pick', answer: 'C', choices: ['1', '2', '3', '4'] };
    expect(await gradeProblem(mc, '</think>The answer is (C).', { thinkClose: '</think>', grader })).toMatchObject({ correct: true, extracted: 'C' });
    expect(await gradeProblem(mc, '</think>\\boxed{3}', { thinkClose: '</think>', grader })).toMatchObject({ correct: true, extracted: 'C' });
    expect(await gradeProblem({ ...mc, answer: '4' }, '</think>\\boxed{D}', { thinkClose: '</think>', grader })).toMatchObject({ correct: true });
    expect(await gradeProblem(mc, '</think>\\boxed{B}', { thinkClose: '</think>', grader })).toMatchObject({ correct: false, extracted: 'B' });
  });
});
