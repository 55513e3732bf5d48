import { reflectionShiftAt } from '../metrics/reflection.ts';
import type { CheckSpecOf } from '../suite/schema/checks.ts';
import { fmt, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult } from './types.ts';

function sameWord(a: string, b: string): boolean {
  return a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * RaML's Figure 6: L-hat moves more at a reflection word than elsewhere. Pooled over the
 * intervention's traces: the mean relative L-hat change over the probe intervals where `word`
 * starts, against the mean over all intervals (metrics' reflectionShiftAt per trace, weighted by
 * its number of intervals). Holds when that ratio is at least `minRatio` (RaML: about 2 at "Wait").
 */
export function reflectionShift(spec: CheckSpecOf<'reflectionShift'>, context: CheckContext, name: string): CheckResult {
  const rows = rowsOf(context.rows, spec.intervention);
  let atSum = 0;
  let atCount = 0;
  let allSum = 0;
  let allCount = 0;
  let traces = 0;
  for (const row of rows) {
    const points = row.confidence.flatMap((p) => (p.lhat === undefined ? [] : [{ position: p.position, value: p.lhat }]));
    if (points.length < 2) continue;
    traces++;
    const positions = row.reflections.filter((mark) => sameWord(mark.word, spec.word)).map((mark) => mark.position);
    const atWord = reflectionShiftAt(points, positions);
    // Every interval starts at a probe position, so passing them all counts every valid interval.
    const everywhere = reflectionShiftAt(points, points.map((p) => p.position));
    if (atWord.count > 0) {
      atSum += atWord.atReflection * atWord.count;
      atCount += atWord.count;
    }
    if (everywhere.count > 0) {
      allSum += everywhere.allPositions * everywhere.count;
      allCount += everywhere.count;
    }
  }
  if (atCount === 0 || allCount === 0) {
    return result(name, 'skipped', `no '${spec.word}' between L-hat probes in ${traces} '${spec.intervention}' traces`, {
      intervention: spec.intervention,
      word: spec.word,
      traces,
    });
  }
  const atWord = atSum / atCount;
  const overall = allSum / allCount;
  const ratio = atWord / overall;
  const pass = ratio >= spec.minRatio;
  return result(
    name,
    pass ? 'pass' : 'fail',
    `${spec.intervention}: mean relative L-hat change at '${spec.word}' ${fmt(atWord)} vs ${fmt(overall)} overall, ratio ${fmt(ratio, 2)} ${pass ? '>=' : '<'} ${spec.minRatio} (${atCount} of ${allCount} intervals, ${traces} traces)`,
    { intervention: spec.intervention, word: spec.word, traces, atWord, overall, ratio, intervalsAtWord: atCount, intervals: allCount, minRatio: spec.minRatio },
  );
}
