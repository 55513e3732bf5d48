import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../tests/fixtures/synthetic-run.ts';
import { markdownSummary } from './markdown.ts';

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
});
