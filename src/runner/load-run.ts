import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, LabeledIntervention } from '../checks/types.ts';
import { InputError } from '../core/errors.ts';
import type { InterventionComparison } from '../golden/index.ts';
import type { Problem } from '../problems/problem.ts';
import type { RunData } from '../reports/run-data.ts';
import { openStore } from '../store/sqlite-store.ts';
import type { GradedResult, Result } from '../core/model.ts';
import { buildRunData } from './run-data.ts';

/** What a finished run folder's summary.json holds (written by run-suite.ts). */
interface StoredSummary {
  run: RunData['run'];
  labeled: LabeledIntervention[];
  checks: CheckResult[];
  golden: { comparison?: InterventionComparison[] } | null;
  /** The run's verdict (runs written before it was stored have none). */
  verdict?: { passed: boolean; headline: string };
  /** The cost estimate against actual (estimate-pass.ts), when the run made one. */
  estimate?: RunData['estimate'];
}

interface StoredGrade {
  key: string;
  intervention: string;
  answer: string | null;
  correct: boolean;
  confidence: GradedResult['confidence'];
  reflections: GradedResult['reflections'];
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new InputError(file, `expected ${what} (${(error as Error).message.split('\n')[0]})`);
  }
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new InputError(`${file}:${i + 1}`, 'expected one JSON object per line');
      }
    });
}

/**
 * Rebuilds a finished run's report data from its stored records: the traces from the store, the
 * grades and confidence curves from results.jsonl, checks and golden flips from summary.json.
 */
export function loadRun(dir: string): { data: RunData; results: GradedResult[]; problems: Problem[] } {
  for (const name of ['summary.json', 'results.jsonl', 'problems.jsonl', 'store.sqlite']) {
    if (!existsSync(join(dir, name))) {
      throw new InputError(dir, name === 'summary.json' ? 'expected a finished run folder (no summary.json: interrupted? rerun the suite to resume it)' : `expected a run folder holding ${name}`);
    }
  }
  const summary = readJson<StoredSummary>(join(dir, 'summary.json'), 'a thinkprobe summary.json');
  if (!summary.run?.id || !Array.isArray(summary.labeled) || !Array.isArray(summary.checks)) {
    throw new InputError(join(dir, 'summary.json'), 'expected fields run.id, labeled and checks (written by thinkprobe run)');
  }
  const problems = readJsonl<Problem>(join(dir, 'problems.jsonl'));
  const grades = readJsonl<StoredGrade>(join(dir, 'results.jsonl'));
  const store = openStore(join(dir, 'store.sqlite'));
  let records: Map<string, Result>;
  try {
    records = new Map(store.results(summary.run.id).map((row) => [row.key, row as unknown as Result]));
  } finally {
    store.close();
  }
  const results: GradedResult[] = grades.map((grade) => {
    const record = records.get(grade.key);
    if (!record) throw new InputError(join(dir, 'store.sqlite'), `expected the stored record of result '${grade.key}'`);
    // The stored result is the engine's; results.jsonl holds what grading and confidence set on it.
    return { ...record, intervention: { ...record.intervention, label: grade.intervention }, extracted: grade.answer, correct: grade.correct, confidence: grade.confidence, reflections: grade.reflections };
  });
  const data = buildRunData({
    run: summary.run,
    interventions: summary.labeled,
    problems,
    results,
    checks: summary.checks,
    ...(summary.golden?.comparison ? { comparison: summary.golden.comparison } : {}),
  });
  if (summary.verdict) data.verdict = summary.verdict;
  if (summary.estimate) data.estimate = summary.estimate;
  return { data, results, problems };
}
