import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../tests/fixtures/synthetic-run.ts';
import { cutAtWord, markdownSummary } from './markdown.ts';

describe('markdownSummary', () => {
  it('has one row per check and per intervention, and no raw markup from model output', () => {
    const data = syntheticRun({ problems: 3, hostile: true });
    data.checks[0]!.summary = 'line one\n| broken | table |\n[link](javascript:alert(1))';
    const md = markdownSummary(data);
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(2 + 2 + data.interventions.length);
    expect(md).toContain('1 of 2 checks failed');
    // Escaped (`\<script\>`) renders as text; an unescaped tag or link would render as markup.
    expect(md).not.toMatch(/(?<!\\)<(script|img)|(?<!\\)\]\\?\(javascript/);
    expect(md).toContain('\\<script\\>');
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(row.startsWith('| check') || row.includes('✅') || row.includes('❌') ? 5 : 9);
  });

  it('shows control and bidi characters as escapes', () => {
    const data = syntheticRun({ problems: 2 });
    data.checks[0]!.name = 'evil\u001b[31m\u202echeck';
    const md = markdownSummary(data);
    expect(md).not.toMatch(/[\u001b\u202e]/);
    expect(md).toContain('evil\\\\u001b\\[31m\\\\u202echeck');
  });

  it('writes a long gate summary in full and lists every flip as a table', () => {
    const data = syntheticRun({ problems: 2 });
    const summary = `regression against golden: budget(192) 40 regressed/0 improved (p=0.0001); this gate detects a drop of 6 points with 80% power [changed since golden: digest: "sha256:${'a'.repeat(64)}" -> "sha256:${'b'.repeat(64)}"]`;
    const flips = Array.from({ length: 40 }, (_, i) => ({ problemId: `arith|${i}`, intervention: 'budget(192)', sample: 0, golden: 'correct', now: 'wrong' }));
    data.checks = [{ name: 'noRegression', verdict: 'fail', summary, evidence: { flips } }];
    const md = markdownSummary(data);
    expect(md).toContain('b'.repeat(64)); // the end of the summary, past any 200-character cut
    expect(md).toContain('### Flips against golden: noRegression (40 regressed, 0 improved)');
    expect(md).toContain('| problem | intervention | sample | golden | now |');
    const flipRows = md.split('\n').filter((l) => /^\| arith/.test(l));
    expect(flipRows).toHaveLength(40);
    // A problem id with a pipe stays one cell.
    expect(flipRows[39]).toBe('| arith\\|39 | budget\\(192\\) | 0 | correct | wrong |');
  });

  it('cuts only server text, and never mid-word', () => {
    expect(cutAtWord('short', 10)).toBe('short');
    const cut = cutAtWord('alpha beta gamma delta epsilon', 20);
    expect(cut).toBe('alpha beta gamma …');
  });
  it('heads the interval column with its kind: clustered by problem when samples repeat a problem', () => {
    const header = (samples: number) => markdownSummary(syntheticRun({ problems: 4, samples })).split('\n').find((l) => l.startsWith('| intervention |'));
    expect(header(1)).toBe('| intervention | n | errored | accuracy | 95% interval | thinking tokens | answer tokens |');
    expect(header(3)).toBe('| intervention | n | errored | accuracy | 95% interval, clustered by problem (3 samples) | thinking tokens | answer tokens |');
  });
});
