import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../tests/fixtures/synthetic-run.ts';
import { junitReport } from './junit.ts';

describe('junitReport', () => {
  it('is well-formed XML with one test case per check, even with hostile text and control characters', () => {
    const data = syntheticRun({ problems: 3, hostile: true });
    data.checks.push({ name: 'bell\u0007and <tag> & "quotes"', verdict: 'error', summary: ']]></failure><x>', evidence: { text: '\u0000nul' } });
    data.checks.push({ name: 'skipped one', verdict: 'skipped', summary: 'no golden yet' });
    const xml = junitReport(data);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as {
      testsuites: { '@_tests': string; '@_failures': string; '@_errors': string; testsuite: { testcase: Array<Record<string, unknown>> } };
    };
    expect(parsed.testsuites['@_tests']).toBe('4');
    expect(parsed.testsuites['@_failures']).toBe('1');
    expect(parsed.testsuites['@_errors']).toBe('1');
    const cases = parsed.testsuites.testsuite.testcase;
    expect(cases).toHaveLength(4);
    expect(cases.map((c) => c['@_name'])).toContain('bell\uFFFDand <tag> & "quotes"');
    expect(cases.filter((c) => 'failure' in c)).toHaveLength(1);
    expect(cases.filter((c) => 'skipped' in c)).toHaveLength(1);
  });

  it("a failed gate's failure body names every flipped problem", () => {
    const data = syntheticRun({ problems: 2 });
    const flips = Array.from({ length: 30 }, (_, i) => ({ problemId: `p<${i}>`, intervention: 'baseline', sample: i % 3, golden: i < 29 ? 'correct' : 'wrong', now: i < 29 ? 'wrong' : 'correct' }));
    data.checks = [{ name: 'noRegression', verdict: 'fail', summary: 'regression against golden', evidence: { flips } }];
    const xml = junitReport(data);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as { testsuites: { testsuite: { testcase: { failure: { '#text': string } } } } };
    const body = parsed.testsuites.testsuite.testcase.failure['#text'];
    expect(body.startsWith('flipped against golden (golden -> now): 29 regressed, 1 improved\n')).toBe(true);
    for (const [i, f] of flips.entries()) expect(body).toContain(`p<${i}> · baseline · sample ${f.sample}: ${f.golden} -> ${f.now}`);
  });
});
