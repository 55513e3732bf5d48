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

  it('explains cost alone and in tree on the line right under the table', () => {
    const data = syntheticRun({ problems: 4 });
    const lines = terminalSummary(data).split('\n');
    const last = data.interventions.at(-1)?.label ?? '';
    const row = lines.findIndex((l) => l.trimStart().startsWith(last));
    expect(lines[row + 1]).toContain('cost alone: new prompt tokens + decoded tokens if the intervention ran by itself');
    expect(lines[row + 1]).toContain('in tree: its share of what the run spent, trunks shared between interventions');
    expect(lines.filter((l) => l.includes('cost alone:'))).toHaveLength(1);
  });

  it('says the accuracy interval is clustered by problem when samples repeat a problem', () => {
    const note = (samples: number) => terminalSummary(syntheticRun({ problems: 4, samples })).split('\n').filter((l) => l.includes('accuracy (low–high):'));
    expect(note(1)).toEqual(['  accuracy (low–high): 95% interval']);
    expect(note(4)).toEqual(['  accuracy (low–high): 95% interval, clustered by problem (4 samples)']);
  });

  it("prints a failed check's detail lines in full, each on its own line (the gate's flips)", () => {
    const data = syntheticRun({ problems: 4 });
    const failed = data.checks.find((c) => c.verdict === 'fail');
    expect(failed).toBeDefined();
    const flips = Array.from({ length: 3 }, (_, i) => `arithmetic-chain/${i} budget(256) #0: correct -> wrong \u001b[2J`);
    Object.assign(failed as object, { details: flips });
    const text = terminalSummary(data);
    for (let i = 0; i < 3; i++) expect(text).toContain(`arithmetic-chain/${i} budget(256) #0: correct -> wrong \\u001b[2J`);
    expect(text).not.toContain('\u001b[2J');
  });
});
