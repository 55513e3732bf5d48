import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/thinkprobe.js', import.meta.url));
const corpus = fileURLToPath(new URL('../../src/grading/cases.jsonl', import.meta.url));
/** Labelled by hand before the grader's rules were read (see tests/fixtures/grading/README.md). */
const independent = fileURLToPath(new URL('../fixtures/grading/independent.jsonl', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-grade-'));

async function thinkprobe(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('thinkprobe grade GOLD PRED', () => {
  it('prints one JSON line and exits 0 whether or not the answers match', async () => {
    const total = await thinkprobe('grade', '42', 'So the total is $\\boxed{42}$.');
    expect(jsonLines(total.stdout)).toEqual([expect.objectContaining({ equivalent: true, extracted: '42', extraction: 'boxed' })]);
    const yes = await thinkprobe('grade', '2\\sqrt{2}', '\\sqrt{8}');
    expect(yes.code).toBe(0);
    expect(jsonLines(yes.stdout)).toEqual([
      { gold: '2\\sqrt{2}', pred: '\\sqrt{8}', equivalent: true, method: 'symbolic', extracted: '\\sqrt{8}', extraction: 'whole' },
    ]);
    const no = await thinkprobe('grade', '0.67', '\\frac{2}{3}');
    expect(no.code).toBe(0);
    expect(jsonLines(no.stdout)[0]).toMatchObject({ equivalent: false, method: 'exact' });
  });

  it('grades a whole response as the runner does: last box wins, thinking never counts, and says what it read', async () => {
    const cases: [string, string, boolean, string | null, string][] = [
      ['42', 'So the total is $\\boxed{42}$.', true, '42', 'boxed'],
      ['3', 'Try \\boxed{2}. Wait, that is wrong: \\boxed{3}.', true, '3', 'boxed'],
      ['2', 'Try \\boxed{2}. Wait, that is wrong: \\boxed{3}.', false, '3', 'boxed'],
      ['7', 'The result is \\fbox{7}', true, '7', 'fbox'],
      ['5', 'hence \\boxed 5.', true, '5', 'boxed'],
      ['9', '<think>I guess \\boxed{9}</think>So it is \\boxed{8}.', false, '8', 'boxed'],
      ['9', '<think>I guess \\boxed{9} and never stop', false, null, 'none'],
      ['\\frac{1}{2}', 'The answer is $\\frac12$.', true, '\\frac12', 'phrase'],
    ];
    // One process for all of them (the single-pair form shares the code path; the first test covers it).
    const file = join(dir, 'responses.jsonl');
    writeFileSync(file, cases.map(([gold, pred]) => JSON.stringify({ gold, pred })).join('\n'));
    const result = await thinkprobe('grade', '--cases', file);
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.map((l) => [l.gold, l.pred, l.equivalent, l.extracted, l.extraction])).toEqual(cases);
  });

  it('never says yes to the known near-misses', async () => {
    const file = join(dir, 'near.jsonl');
    const pairs = [
      ['10 \\text{ cm}', '10 \\text{ m}'],
      ['2 \\text{ m}', '2 \\text{ m}^2'],
      ['x', 'x+10^{-12}'],
      ['e^x', 'e^x+10^{-20}'],
      ['\\frac{x}{3}', '0.333333333333x'],
      ['e^{\\pi\\sqrt{163}}', '262537412640768744'],
      ['\\frac{\\pi}{2}^\\circ', '\\frac{\\pi}{2}'],
      ['a=2, b=3', 'a=3, b=2'],
    ];
    writeFileSync(file, pairs.map(([gold, pred]) => JSON.stringify({ gold, pred, equivalent: false })).join('\n'));
    const result = await thinkprobe('grade', '--cases', file, '--check');
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).map((l) => l.equivalent)).toEqual(pairs.map(() => false));
  });

  it('--exit-code exits 1 when not equivalent, 0 when equivalent', async () => {
    expect((await thinkprobe('grade', '--exit-code', '025', '25')).code).toBe(0);
    expect((await thinkprobe('grade', '--exit-code', '(1,2)', '[1,2]')).code).toBe(1);
  });

  it('takes answers starting with "-" after "--"', async () => {
    const result = await thinkprobe('grade', '--', '-\\frac{8}{2}', '-4');
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)[0]).toMatchObject({ gold: '-\\frac{8}{2}', pred: '-4', equivalent: true });
  });

  it('prints hostile answers as escapes: no C1 control, line separator or bidi override reaches the terminal', async () => {
    const pred = '5\u009b2J\u202eevil\u2028\u0085\u001b[31m';
    const result = await thinkprobe('grade', '5', pred);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(jsonLines(result.stdout)).toEqual([expect.objectContaining({ gold: '5', pred, equivalent: false })]);
  });

  it('rejects a missing PRED with exit 2 and one line', async () => {
    const result = await thinkprobe('grade', '5');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('expected GOLD and PRED');
  });
});

describe('thinkprobe grade --cases', () => {
  it('prints one line per case, in order', async () => {
    const file = join(dir, 'few.jsonl');
    const pairs = [
      ['\\sqrt{12}', '2\\sqrt3', true],
      ['1,000', '1000', true],
      ['0.67', '\\frac23', false],
      ['\\{1,2\\}', '\\{2,1\\}', true],
      ['(1,2)', '(2,1)', false],
    ] as const;
    writeFileSync(file, pairs.map(([gold, pred]) => JSON.stringify({ gold, pred })).join('\n') + '\n\n');
    const result = await thinkprobe('grade', '--cases', file);
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.map((l) => [l.gold, l.pred, l.equivalent])).toEqual(pairs.map((p) => [...p]));
  });

  it('--check agrees with every verdict of the bundled corpus', async () => {
    // A generous time bound: on a loaded machine a slow comparison must not turn into a miss.
    const result = await thinkprobe('grade', '--cases', corpus, '--check', '--workers', '2', '--timeout-ms', '60000');
    expect(result.stderr).toMatch(/^agreement (\d+)\/\1 \(100\.0%\), false positives 0, misses 0\n$/);
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.length).toBeGreaterThan(500);
    expect(lines.filter((l) => l.agrees !== true)).toEqual([]);
  });

  it('agrees with every verdict of the independently labelled corpus: no false positive, no miss', async () => {
    const labelled = readFileSync(independent, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // Written as an outside reviewer would: hundreds of pairs, both verdicts in every category, a reason on each.
    expect(labelled.length).toBeGreaterThanOrEqual(400);
    for (const row of labelled) {
      expect(Object.keys(row).sort()).toEqual(['category', 'equivalent', 'gold', 'pred', 'reason']);
      expect(typeof row.reason === 'string' && row.reason.length > 5).toBe(true);
    }
    const categories = new Set(labelled.map((row) => row.category));
    expect(categories.size).toBeGreaterThanOrEqual(20);
    for (const category of categories) {
      const verdicts = new Set(labelled.filter((row) => row.category === category).map((row) => row.equivalent));
      expect([category, verdicts.size]).toEqual([category, 2]);
    }
    const result = await thinkprobe('grade', '--cases', independent, '--check', '--workers', '2', '--timeout-ms', '60000');
    expect(result.stderr).toBe(`agreement ${labelled.length}/${labelled.length} (100.0%), false positives 0, misses 0\n`);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).map((l) => l.equivalent)).toEqual(labelled.map((row) => row.equivalent));
  });

  it('--check exits 1 on a disagreement', async () => {
    const file = join(dir, 'wrong.jsonl');
    writeFileSync(file, `${JSON.stringify({ gold: '1', pred: '2', equivalent: true })}\n`);
    const result = await thinkprobe('grade', '--cases', file, '--check');
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)[0]).toMatchObject({ equivalent: false, expected: true, agrees: false });
  });

  it('reports agreement with labelled cases and lists every false positive and miss, without --check too', async () => {
    const file = join(dir, 'labelled.jsonl');
    const rows = [
      { gold: '1', pred: '1', equivalent: true },
      { gold: '1', pred: '2', equivalent: true },
      { gold: '3', pred: '\\boxed{3}', equivalent: false },
      { gold: '4', pred: '5', equivalent: false },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const result = await thinkprobe('grade', '--cases', file);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).map((l) => l.agrees)).toEqual([true, false, false, true]);
    const report = result.stderr.trim().split('\n');
    expect(report[0]).toBe('agreement 2/4 (50.0%), false positives 1, misses 1');
    expect(report[1]).toMatch(new RegExp(`^false positive .*labelled\\.jsonl:3: `));
    expect(report[2]).toMatch(new RegExp(`^miss .*labelled\\.jsonl:2: `));
    expect(report).toHaveLength(3);
  });

  it.each([
    ['not json', 'this is not json'],
    ['a number gold', '{"gold": 5, "pred": "5"}'],
    ['no pred', '{"gold": "5"}'],
    ['an array', '["5", "5"]'],
  ])('rejects a bad line (%s) with FILE:LINE and exit 2, printing no results', async (_name, bad) => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify({ gold: '1', pred: '1' })}\n${bad}\n`);
    const result = await thinkprobe('grade', '--cases', file);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe(`thinkprobe: ${file}:2: expected {"gold": string, "pred": string}`);
  });

  it('names a missing file', async () => {
    const result = await thinkprobe('grade', '--cases', join(dir, 'nope.jsonl'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.jsonl');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('escapes control characters from untrusted answers', async () => {
    const file = join(dir, 'ctrl.jsonl');
    writeFileSync(file, `${JSON.stringify({ gold: '\u001b[31m5', pred: '5' })}\n`);
    const result = await thinkprobe('grade', '--cases', file);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toContain('\\u001b');
  });
});
