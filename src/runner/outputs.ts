import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildHtmlReport } from '../reports/html/build.ts';
import { junitReport } from '../reports/junit.ts';
import { markdownSummary } from '../reports/markdown.ts';
import type { RunData } from '../reports/run-data.ts';
import type { Problem } from '../problems/problem.ts';
import type { GradedResult } from '../core/model.ts';
import { turn } from './turn.ts';

/** Written last, so its presence marks a finished run (see run-folder.ts). Atomic: temp + rename. */
function writeAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, 'utf8');
  renameSync(temp, file);
}

/** One row per problem x intervention x sample: what CI and notebooks read (its keys are a public format: keep them). */
export function resultsJsonl(results: readonly GradedResult[], problems: ReadonlyMap<string, Problem>): string {
  return results
    .map((r) =>
      JSON.stringify({
        key: r.key,
        problemId: r.problemId,
        intervention: r.intervention.label,
        params: r.intervention.params,
        sample: r.sample,
        seed: r.seed,
        answer: r.extracted,
        reference: problems.get(r.problemId)?.answer ?? null,
        correct: r.correct,
        thinkingTokens: r.counts.thinking,
        answerTokens: r.counts.answer,
        capFired: r.capFired,
        exit: r.exit,
        confidence: r.confidence,
        reflections: r.reflections,
        cost: r.cost,
        ...(r.error ? { error: r.error } : {}),
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

export interface RunFiles {
  dir: string;
  data: RunData;
  results: readonly GradedResult[];
  problems: readonly Problem[];
  summary: Record<string, unknown>;
  html: boolean;
}

/**
 * The run's files, summary.json last. The event loop turns between files: together they held it
 * for tens of milliseconds on a run of a few hundred results.
 */
export async function writeRunFiles(files: RunFiles): Promise<void> {
  mkdirSync(files.dir, { recursive: true });
  const byId = new Map(files.problems.map((p) => [p.id, p]));
  writeAtomic(join(files.dir, 'problems.jsonl'), files.problems.map((p) => `${JSON.stringify(p)}\n`).join(''));
  await turn();
  writeAtomic(join(files.dir, 'results.jsonl'), resultsJsonl(files.results, byId));
  await turn();
  writeAtomic(join(files.dir, 'junit.xml'), junitReport(files.data));
  writeAtomic(join(files.dir, 'summary.md'), markdownSummary(files.data));
  await turn();
  if (files.html) writeAtomic(join(files.dir, 'index.html'), await buildHtmlReport(files.data));
  writeAtomic(join(files.dir, 'summary.json'), `${JSON.stringify(files.summary, null, 2)}\n`);
}
