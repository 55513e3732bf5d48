/**
 * After a run, its reports show the cost estimate made before generating against what the run
 * spent: from the plan alone on a first run (bounds, said so), from the earlier run of the same
 * suite on the next one (then equal to the actual for a seeded run on the same simulator).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSuite } from '../../src/runner/run-suite.ts';

const root = resolve(import.meta.dirname, '../..');
const suiteFile = join(root, 'suites/quickstart.suite.ts');
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The estimate table's row for a figure: [estimate cell, actual cell]. */
function row(summary: string, figure: string): [string, string] {
  const line = summary.split('\n').find((l) => l.startsWith(`| ${figure} |`));
  if (!line) throw new Error(`summary.md has no '${figure}' row in:\n${summary}`);
  const cells = line.split('|').slice(2, 4).map((c) => c.trim());
  return [cells[0]!, cells[1]!];
}

function spent(runDir: string): { prefill: number; decoded: number; results: number } {
  const rows = readFileSync(join(runDir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { cost: { tree: { prefill: number; decoded: number } } });
  return { prefill: rows.reduce((n, r) => n + r.cost.tree.prefill, 0), decoded: rows.reduce((n, r) => n + r.cost.tree.decoded, 0), results: rows.length };
}

describe('estimate against actual', () => {
  it('summary.md, summary.json and the HTML report show the estimate made before the run beside the actual cost', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tp-estimate-'));
    dirs.push(out);
    const common = { suiteFile, out, samples: 1, filter: '/arithmetic-chain\\/1\\//', concurrency: 2 };

    const lines: string[] = [];
    const first = await runSuite({ ...common, html: true, log: (l) => lines.push(l) });
    expect(first.status).toBe('completed');
    const summary1 = readFileSync(join(first.runDir, 'summary.md'), 'utf8');
    expect(summary1).toContain('### Cost: estimate against actual');
    expect(summary1).toContain('from the plan alone');
    const used1 = spent(first.runDir);
    // The plan alone: every result at maxThinkingTokens (4096) + answerTokens, a bound and said so.
    const answerTokens = Number(first.data?.run.environment['answerTokens']);
    expect(row(summary1, 'generated tokens')).toEqual([`at most ${used1.results * (4096 + answerTokens)}`, String(Math.round(used1.decoded))]);
    expect(row(summary1, 'prompt tokens')).toEqual(['–', String(Math.round(used1.prefill))]);
    expect(row(summary1, 'requests')[0]).toBe(`at least ${used1.results}`);
    expect(Number(row(summary1, 'requests')[1])).toBeGreaterThanOrEqual(used1.results);
    expect(row(summary1, 'wall time')[1]).toMatch(/^\d+\.\d s$/);
    // A bound that is far off is no surprise: no terminal line for it.
    expect(lines.filter((l) => l.includes('estimate off'))).toEqual([]);
    const html = readFileSync(join(first.runDir, 'index.html'), 'utf8');
    expect(html).toContain('"estimate"');

    // The next run of the suite in the same folder: the first is its prior, and a seeded run on the
    // same simulator spends exactly that again.
    const second = await runSuite({ ...common, html: false, fresh: true, log: (l) => lines.push(l) });
    expect(second.runDir).not.toBe(first.runDir);
    const summary2 = readFileSync(join(second.runDir, 'summary.md'), 'utf8');
    const used2 = spent(second.runDir);
    expect(used2.decoded).toBe(used1.decoded);
    expect(row(summary2, 'generated tokens')).toEqual([String(Math.round(used1.decoded)), String(Math.round(used2.decoded))]);
    expect(row(summary2, 'prompt tokens')).toEqual([String(Math.round(used1.prefill)), String(Math.round(used2.prefill))]);
    const [estimatedRequests, actualRequests] = row(summary2, 'requests');
    expect(estimatedRequests).toBe(actualRequests);
    const stored = JSON.parse(readFileSync(join(second.runDir, 'summary.json'), 'utf8')) as { estimate?: { kind: string; basis: string; estimate: Record<string, unknown>; actual: Record<string, unknown> } };
    expect(stored.estimate?.kind).toBe('measured');
    expect(stored.estimate?.basis).toContain(first.runDir);
    expect(Object.keys(stored.estimate?.actual ?? {}).sort()).toEqual(['generatedTokens', 'promptTokens', 'requests', 'wallMs']);
    expect(second.data?.estimate?.actual.generatedTokens).toBe(Math.round(used2.decoded));
    expect(lines.filter((l) => l.includes('estimate off'))).toEqual([]);
  });
});
