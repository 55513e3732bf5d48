import type { RunData } from './run-data.ts';
import { flipLines, gateFlips } from '../golden/flips.ts';

/** XML 1.0 forbids most control characters even escaped; model output may contain them. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Errored results as test cases with `<error>`, up to this many (the rest are counted in one more case). */
const ERRORED_CASES = 200;

function erroredCases(data: RunData): string[] {
  const errored = data.results.filter((r) => r.error !== undefined);
  const classname = xml(`thinkprobe.${data.run.suite}.results`);
  const cases = errored.slice(0, ERRORED_CASES).map((r) => {
    const name = xml(`${r.problemId} | ${r.intervention} | sample ${r.sample}`);
    return `    <testcase classname="${classname}" name="${name}">\n      <error message="${xml(r.error ?? '')}" type="result-error"/>\n    </testcase>`;
  });
  if (errored.length > ERRORED_CASES) {
    const more = errored.length - ERRORED_CASES;
    cases.push(`    <testcase classname="${classname}" name="${more} more errored results">\n      <error message="${more} more results errored (results.jsonl lists every one)" type="result-error"/>\n    </testcase>`);
  }
  return cases;
}

/** JUnit XML with one test case per check (and one per errored result), the format CI systems read. */
export function junitReport(data: RunData): string {
  const resultErrors = erroredCases(data);
  const failures = data.checks.filter((c) => c.verdict === 'fail').length;
  const errors = data.checks.filter((c) => c.verdict === 'error').length + resultErrors.length;
  const skipped = data.checks.filter((c) => c.verdict === 'skipped').length;
  const suite = `thinkprobe.${data.run.suite}`;
  const cases = data.checks.map((check) => {
    const head = `    <testcase classname="${xml(suite)}" name="${xml(check.name)}">`;
    // A gate's flips come first, one per line and every one, so a CI page names them without the JSON.
    const flips = flipLines(gateFlips(check.evidence));
    const json = JSON.stringify({ evidence: check.evidence, counterexample: check.counterexample }, null, 2);
    const detail = xml(flips.length > 0 ? `${flips.join('\n')}\n\n${json}` : json);
    const body =
      check.verdict === 'fail'
        ? `\n      <failure message="${xml(check.summary)}">${detail}</failure>\n    `
        : check.verdict === 'error'
          ? `\n      <error message="${xml(check.summary)}">${detail}</error>\n    `
          : check.verdict === 'skipped'
            ? `\n      <skipped message="${xml(check.summary)}"/>\n    `
            : `\n      <system-out>${xml(check.summary)}</system-out>\n    `;
    return `${head}${body}</testcase>`;
  });
  const tests = data.checks.length + resultErrors.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="thinkprobe" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
    `  <testsuite name="${xml(suite)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" timestamp="${xml(data.run.startedAt)}">`,
    '    <properties>',
    `      <property name="model" value="${xml(data.run.model)}"/>`,
    `      <property name="run" value="${xml(data.run.id)}"/>`,
    ...Object.entries(data.run.environment).map(([k, v]) => `      <property name="${xml(k)}" value="${xml(String(v))}"/>`),
    '    </properties>',
    ...cases,
    ...resultErrors,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
