import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import { describe, expect, it } from 'vitest';
import { terminalSummary } from '../../src/reports/terminal.ts';
import { runSuite } from '../../src/runner/run-suite.ts';

describe('a result that cannot be produced', () => {
  it('counts as wrong, is named in results.jsonl and the terminal summary, and does not stop the run', async () => {
    chalk.level = 0;
    const work = mkdtempSync(join(tmpdir(), 'thinkprobe-run-errors-'));
    const suiteFile = join(work, 'errors.suite.json');
    writeFileSync(
      suiteFile,
      JSON.stringify({
        name: 'errors',
        numCtx: 1600,
        maxThinkingTokens: 1000,
        answerTokens: 100,
        problems: [
          { id: 'short', question: 'What is 25 + 17?', answer: '42' },
          { id: 'long', question: `What is 25 + 17? ${'Think about the numbers carefully. '.repeat(300)}`, answer: '42' },
        ],
        interventions: [{ type: 'baseline' }],
      }),
    );
    const outcome = await runSuite({ suiteFile, out: join(work, 'reports'), html: false, log: () => undefined });
    expect(outcome.status).toBe('completed');
    const rows = readFileSync(join(outcome.runDir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { problemId: string; correct: boolean; error?: string });
    const long = rows.find((r) => r.problemId === 'long');
    expect(long?.correct).toBe(false);
    expect(long?.error).toMatch(/^problem long: .*(num_ctx|context length)/);
    expect(rows.find((r) => r.problemId === 'short')?.error).toBeUndefined();
    const baseline = outcome.data!.interventions[0]!;
    expect(baseline.n).toBe(2);
    // Token means cover the results that exist, not the failed one's zero tokens.
    expect(baseline.meanThinkingTokens).toBe(outcome.data!.results.find((r) => r.problemId === 'short')!.thinkingTokens);
    expect(terminalSummary(outcome.data!)).toContain('1 of 2 results could not be produced and count as wrong; first: problem long:');
  });
});
