import chalk from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticRun } from '../../tests/fixtures/synthetic-run.ts';
import { terminalSafe, terminalSummary } from './terminal.ts';

describe('terminalSafe', () => {
  it('neutralizes escape sequences and bidi overrides but keeps newlines and tabs', () => {
    const hostile = 'ok\u001b[2J\u001b]0;owned\u0007\u009b31m\u202eevil\tdone\n';
    const safe = terminalSafe(hostile);
    expect(safe).not.toMatch(/[\u001b\u0007\u009b\u202e]/);
    expect(safe).toBe('ok\\u001b[2J\\u001b]0;owned\\u0007\\u009b31m\\u202eevil\tdone\n');
  });
});

describe('terminalSummary', () => {
  beforeAll(() => {
    chalk.level = 0;
  });

  it('lists every intervention, shows evidence only for failed checks, and names the report folder', () => {
    const data = syntheticRun({ problems: 4 });
    data.run.suite = 'suite\u001b[31m';
    const text = terminalSummary(data, { runDir: 'reports/x/1' });
    for (const i of data.interventions) expect(text).toContain(i.label);
    expect(text).not.toContain('\u001b[31m');
    expect(text).toContain('minimal counterexample: {"budget":384}');
    expect(text.match(/evidence:/g)).toHaveLength(1);
    expect(text.trimEnd().split('\n').at(-1)).toContain('reports/x/1');
    expect(text).toMatch(/1 failed.*1 passed/);
  });
});
