import { terminalSafe } from './terminal.ts';
import type { RunData } from './run-data.ts';
import { runVerdict } from '../checks/verdict.ts';
import { gateFlips } from '../golden/flips.ts';
import { intervalLabel, samplesPerProblem } from '../metrics/format.ts';

/** Errored results listed in full up to this many; the rest are counted. */
const ERRORED_LISTED = 50;

/** Cut long text at a word boundary (never mid-word), marking the cut. */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const space = text.lastIndexOf(' ', max);
  return `${text.slice(0, space > max / 2 ? space : max)} …`;
}

/**
 * Markdown table cells: model output must not break the table or inject markup/links. Check
 * summaries are written in full; only server/model text (`max`) is shortened, at a word boundary.
 */
function cell(text: string, max = Number.POSITIVE_INFINITY): string {
  // Control and bidi characters would drive a terminal that cats this file, or reorder text on a page.
  return terminalSafe(cutAtWord(text.replace(/[\r\n]+/g, ' '), max)).replace(/[\\`*_{}[\]()#+!|<>&~]/g, (c) => `\\${c}`);
}

/** Every problem a golden gate saw flip, one table per gate check. */
function flipsSection(checks: RunData['checks']): string[] {
  return checks.flatMap((check) => {
    const flips = gateFlips(check.evidence);
    if (flips.length === 0) return [];
    const regressed = flips.filter((f) => f.golden === 'correct').length;
    return [
      `### Flips against golden: ${cell(check.name)} (${regressed} regressed, ${flips.length - regressed} improved)`,
      '',
      '| problem | intervention | sample | golden | now |',
      '| --- | --- | ---: | --- | --- |',
      ...flips.map((f) => `| ${cell(f.problemId)} | ${cell(f.intervention)} | ${f.sample} | ${f.golden} | ${f.now} |`),
      '',
    ];
  });
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–';
}

function tokens(x: number): string {
  return Number.isFinite(x) ? x.toFixed(0) : '–';
}

/** Errored results: which, and the one-line cause of each (model and server text made inert). */
function erroredSection(errored: RunData['results']): string[] {
  if (errored.length === 0) return [];
  const shown = errored.slice(0, ERRORED_LISTED);
  return [
    `### Errored results (${errored.length})`,
    '',
    'Left out of accuracy, token means and checks.',
    '',
    '| problem | intervention | sample | error |',
    '| --- | --- | ---: | --- |',
    ...shown.map((r) => `| ${cell(r.problemId)} | ${cell(r.intervention)} | ${r.sample} | ${cell(r.error ?? '', 300)} |`),
    ...(errored.length > shown.length ? ['', `… and ${errored.length - shown.length} more (results.jsonl lists every one).`] : []),
    '',
  ];
}

/** The run's cost estimate (made before generating) against what it spent; bounds say so. */
function estimateSection(compared: RunData['estimate']): string[] {
  if (!compared) return [];
  const bound = compared.kind === 'upper-bound';
  const figure = (x: number | null, prefix = ''): string => (x === null ? '–' : `${prefix}${Math.round(x)}`);
  const wall = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
  const { estimate: e, actual: a } = compared;
  return [
    '### Cost: estimate against actual',
    '',
    `Estimated before the run from ${cell(compared.basis)}.`,
    '',
    '| | estimate | actual |',
    '| --- | ---: | ---: |',
    `| requests | ${figure(e.requests, bound ? 'at least ' : '')} | ${figure(a.requests)} |`,
    `| prompt tokens | ${figure(e.promptTokens)} | ${figure(a.promptTokens)} |`,
    `| generated tokens | ${figure(e.generatedTokens, bound ? 'at most ' : '')} | ${figure(a.generatedTokens)} |`,
    `| wall time | ${wall(e.wallMs)} | ${wall(a.wallMs)} |`,
    '',
  ];
}

const ICON = { pass: '✅', fail: '❌', error: '⚠️', skipped: '⏭️' } as const;

/** A summary for CI job pages (e.g. $GITHUB_STEP_SUMMARY). */
export function markdownSummary(data: RunData): string {
  const verdict = data.verdict ?? runVerdict(data.checks);
  const errored = data.results.filter((r) => r.error !== undefined);
  const lines = [
    `## thinkprobe: ${cell(data.run.suite)} on ${cell(data.run.model)}`,
    '',
    `**${verdict.headline}**${errored.length > 0 ? ` ${errored.length} of ${data.results.length} results errored.` : ''}`,
    '',
    '| check | verdict | summary |',
    '| --- | --- | --- |',
    ...data.checks.map((c) => `| ${cell(c.name)} | ${ICON[c.verdict]} ${c.verdict} | ${cell(c.summary)} |`),
    '',
    `| intervention | n | errored | accuracy | ${intervalLabel(samplesPerProblem(data.results))} | thinking tokens | answer tokens |`,
    '| --- | ---: | ---: | ---: | --- | ---: | ---: |',
    ...data.interventions.map(
      (i) =>
        `| ${cell(i.label)} | ${i.n} | ${i.errored ?? 0} | ${pct(i.accuracy.estimate)} | ${pct(i.accuracy.low)} – ${pct(i.accuracy.high)} | ${tokens(i.meanThinkingTokens)} | ${tokens(i.meanAnswerTokens)} |`,
    ),
    '',
    ...flipsSection(data.checks),
    ...erroredSection(errored),
    ...estimateSection(data.estimate),
    `Run \`${cell(data.run.id)}\`, thinkprobe ${cell(data.run.thinkprobeVersion)}.`,
    '',
  ];
  return lines.join('\n');
}
