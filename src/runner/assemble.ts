import type { ResultRow } from '../checks/types.ts';
import { findReflections } from '../confidence/index.ts';
import type { ResultRecord } from '../engine/index.ts';
import type { Grader } from '../grading/grader.ts';
import { gradeProblem } from '../grading/index.ts';
import type { Problem } from '../problems/problem.ts';
import type { ConfidencePoint, ResultSummary, TraceRecord } from '../reports/run-data.ts';
import type { LhatPoint } from './confidence-pass.ts';
import { thinkingTokenEnds, thinkingTokens, type ThinkingLayout } from './prefix.ts';

/** A result as every later stage sees it: the engine's record, graded, with its confidence curve. */
export interface GradedResult {
  record: ResultRecord;
  /** The suite's label for the intervention. */
  label: string;
  extracted?: string;
  correct: boolean;
  confidence: ConfidencePoint[];
  reflections: Array<{ position: number; word: string }>;
  /** L-hat probes measured, how many were only bounds, and the alternatives the server returned (for skip reasons). */
  probeBounds?: { probes: number; bounded: number; alternatives: number; asked: number };
}

export async function gradeRecord(
  record: ResultRecord,
  problem: Problem,
  label: string,
  grader: Grader,
  layout: ThinkingLayout,
  lhat: readonly LhatPoint[] = [],
): Promise<GradedResult> {
  // The engine hands over the text after the thinking closed ('' if it never closed): never the thinking.
  const grade = record.answer === '' ? { correct: false } : await gradeProblem(problem, record.answer, { grader });
  const thinking = Math.max(1, record.counts.thinking);
  const byPosition = new Map(lhat.map((p) => [p.position, p]));
  const probePositions = [...new Set([...record.probes.map((p) => p.position), ...lhat.map((p) => p.position)])].sort((a, b) => a - b);
  const ends = thinkingTokenEnds(record.trace, layout);
  const confidence: ConfidencePoint[] = probePositions.map((position) => {
    const point = byPosition.get(position);
    const offset = ends[Math.min(position, ends.length - 1)];
    return {
      position,
      normalized: Math.min(1, position / thinking),
      ...(offset === undefined ? {} : { offset }),
      ...(point ? { lhat: point.lhat, pCorrect: point.pReference, ...(point.bounded ? { bounded: true } : {}) } : {}),
    };
  });
  const reflections = findReflections(thinkingTokens(record.trace, layout)).map((hit) => ({ position: hit.tokenIndex, word: hit.word }));
  const probeBounds =
    lhat.length === 0
      ? undefined
      : {
          probes: lhat.length,
          bounded: lhat.filter((p) => p.bounded).length,
          alternatives: Math.max(0, ...lhat.map((p) => p.alternatives?.returned ?? 0)),
          asked: Math.max(0, ...lhat.map((p) => p.alternatives?.asked ?? 0)),
        };
  return {
    record,
    label,
    ...(probeBounds ? { probeBounds } : {}),
    ...(grade.extracted === undefined ? {} : { extracted: grade.extracted }),
    correct: grade.correct,
    confidence,
    reflections,
  };
}

/** The plain row checks and golden files work on. */
export function checkRow(result: GradedResult): ResultRow & { answer?: string } {
  return {
    problemId: result.record.problemId,
    intervention: result.label,
    sample: result.record.sample,
    correct: result.correct,
    thinkingTokens: result.record.counts.thinking,
    answerTokens: result.record.counts.answer,
    capFired: result.record.capFired,
    // A bounded L-hat is only a lower bound (a reference token fell outside the top 20): checks use exact values only.
    confidence: result.confidence.filter((p) => p.bounded !== true).map(({ bounded: _bounded, offset: _offset, ...point }) => point),
    reflections: result.reflections,
    ...(result.extracted === undefined ? {} : { answer: result.extracted }),
    ...(result.record.error ? { error: result.record.error } : {}),
    ...(result.probeBounds ? { probeBounds: result.probeBounds } : {}),
  };
}

/** The report's view of one result and its trace (probe markers at character offsets). */
export function reportResult(result: GradedResult, traceIndex: number): { summary: ResultSummary; trace: TraceRecord } {
  const { record } = result;
  const offsets: number[] = [];
  let chars = 0;
  for (const segment of record.trace) {
    if (segment.kind === 'prompt') continue;
    if (segment.kind === 'generated') {
      for (const token of segment.tokens) {
        offsets.push(chars);
        chars += token.text.length;
      }
    } else chars += segment.text.length;
  }
  offsets.push(chars);
  const trace: TraceRecord = {
    segments: record.trace.map((s) => (s.kind === 'injected' ? { kind: s.kind, text: s.text, label: s.label } : { kind: s.kind, text: s.text })),
    probes: result.confidence.map((p) => ({
      // Offsets recorded at grading time count thinking tokens as the probes do; the fallback (older
      // records) counts every generated token.
      offset: p.offset ?? offsets[Math.min(p.position, offsets.length - 1)] ?? chars,
      position: p.position,
      ...(p.pCorrect === undefined ? {} : { pCorrect: p.pCorrect }),
      ...(p.lhat === undefined ? {} : { lhat: p.lhat }),
      ...(p.bounded === true ? { bounded: true } : {}),
    })),
  };
  const summary: ResultSummary = {
    problemId: record.problemId,
    intervention: result.label,
    sample: record.sample,
    ...(result.extracted === undefined ? {} : { answer: result.extracted }),
    correct: result.correct,
    thinkingTokens: record.counts.thinking,
    answerTokens: record.counts.answer,
    capFired: record.capFired,
    confidence: result.confidence,
    ...(result.reflections.length > 0 ? { reflections: result.reflections } : {}),
    trace: traceIndex,
    ...(record.error ? { error: record.error } : {}),
  };
  return { summary, trace };
}
