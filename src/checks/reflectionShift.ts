import { pooledReflectionShift, sameReflectionWord } from '../metrics/reflection.ts';
import { Type } from '@sinclair/typebox';
import { Default, type Resolved } from '../core/typebox.ts';
import { LabelOr, checkSchema } from '../suite/schema/checks.ts';
import { defineCheck, named } from './check.ts';
import { fmt, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult } from './types.ts';

export const schema = checkSchema('reflectionShift', {
  intervention: LabelOr('baseline'),
  word: Default(Type.String({ minLength: 1 }), 'Wait'),
  /** Mean relative L-hat change at the word over the mean at all positions must be at least this. */
  minRatio: Default(Type.Number({ exclusiveMinimum: 0 }), 1.5),
});
export type ReflectionShiftSpec = Resolved<typeof schema>;

/**
 * RaML's Figure 6: L-hat moves more at a reflection word than elsewhere. Pooled over the
 * intervention's traces: the mean relative L-hat change over the probe intervals where `word`
 * starts, against the mean over all intervals (metrics' pooledReflectionShift: every interval of
 * every trace weighs the same). Holds when that ratio is at least `minRatio` (RaML: about 2 at "Wait").
 */
export function reflectionShift(spec: ReflectionShiftSpec, context: CheckContext, name: string): CheckResult {
  const rows = rowsOf(context.rows, spec.intervention);
  const pooled = pooledReflectionShift(
    rows.map((row) => ({
      points: row.confidence.flatMap((p) => (p.lhat === undefined ? [] : [{ position: p.position, value: p.lhat }])),
      reflectionPositions: row.reflections.filter((mark) => sameReflectionWord(mark.word, spec.word)).map((mark) => mark.position),
    })),
  );
  const { traces, count: atCount, steps: allCount } = pooled;
  if (atCount === 0 || allCount === 0) {
    return result(name, 'skipped', `no '${spec.word}' between L-hat probes in ${traces} '${spec.intervention}' traces`, {
      intervention: spec.intervention,
      word: spec.word,
      traces,
    });
  }
  const { atReflection: atWord, allPositions: overall, ratio } = pooled;
  const pass = ratio >= spec.minRatio;
  return result(
    name,
    pass ? 'pass' : 'fail',
    `${spec.intervention}: mean relative L-hat change at '${spec.word}' ${fmt(atWord)} vs ${fmt(overall)} overall, ratio ${fmt(ratio, 2)} ${pass ? '>=' : '<'} ${spec.minRatio} (${atCount} of ${allCount} intervals, ${traces} traces)`,
    { intervention: spec.intervention, word: spec.word, traces, atWord, overall, ratio, intervalsAtWord: atCount, intervals: allCount, minRatio: spec.minRatio },
  );
}

export const check = defineCheck({
  type: 'reflectionShift',
  schema,
  label: (spec) => `reflectionShift(${spec.intervention}, ${spec.word})`,
  reads: (spec) => [named('intervention', spec.intervention)],
  run: reflectionShift,
});
