import type { ConfidencePoint, GradedResult, Result, ResultRow } from '../core/model.ts';
import { findReflections } from '../confidence/index.ts';
import type { Grader } from '../grading/grader.ts';
import { gradeProblem } from '../grading/index.ts';
import type { Problem } from '../problems/problem.ts';
import type { ResultSummary, TraceRecord } from '../reports/run-data.ts';
import type { LhatPoint } from './confidence-pass.ts';
import { scanThinking, type ThinkingLayout } from './prefix.ts';
import { turn } from './turn.ts';

/** Grading runs over every result of a run at its end: past this much CPU in one go it lets the event loop turn. */
const YIELD_AFTER_MS = 4;
let busySince = performance.now();

/** Yields to the event loop (other streams, timers, Ctrl-C) when grading has held it for YIELD_AFTER_MS. */
async function yieldWhenBusy(): Promise<void> {
  if (performance.now() - busySince < YIELD_AFTER_MS) return;
  await turn();
  busySince = performance.now();
}

/**
 * Grades a result and adds its confidence curve and reflection marks: the same result, with the
 * grader's `correct` and `extracted` (null when it found no answer) and the confidence fields set.
 */
export async function gradeRecord(
  record: Result,
  problem: Problem,
  grader: Grader,
  layout: ThinkingLayout,
  lhat: readonly LhatPoint[] = [],
): Promise<GradedResult> {
  await yieldWhenBusy();
  // The engine hands over the text after the thinking closed ('' if it never closed): never the thinking.
  const grade = record.answer === '' ? { correct: false } : await gradeProblem(problem, record.answer, { grader });
  const thinking = Math.max(1, record.counts.thinking);
  const byPosition = new Map(lhat.map((p) => [p.position, p]));
  const probePositions = [...new Set([...record.probes.map((p) => p.position), ...lhat.map((p) => p.position)])].sort((a, b) => a - b);
  const { texts, ends } = scanThinking(record.trace, layout);
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
  const reflections = findReflections(texts).map((hit) => ({ position: hit.tokenIndex, word: hit.word }));
  const probeBounds =
    lhat.length === 0
      ? undefined
      : {
          probes: lhat.length,
          bounded: lhat.filter((p) => p.bounded).length,
          alternatives: Math.max(0, ...lhat.map((p) => p.alternatives?.returned ?? 0)),
          asked: Math.max(0, ...lhat.map((p) => p.alternatives?.asked ?? 0)),
        };
  const { probeBounds: _stale, ...rest } = record;
  return { ...rest, extracted: grade.extracted ?? null, correct: grade.correct, confidence, reflections, ...(probeBounds ? { probeBounds } : {}) };
}

/** The plain row checks and golden files work on. */
export function checkRow(result: GradedResult): ResultRow {
  return {
    problemId: result.problemId,
    intervention: result.intervention.label,
    sample: result.sample,
    correct: result.correct,
    thinkingTokens: result.counts.thinking,
    answerTokens: result.counts.answer,
    capFired: result.capFired,
    // A bounded L-hat is only a lower bound (a reference token fell outside the top 20): checks use exact values only.
    confidence: result.confidence.filter((p) => p.bounded !== true).map(({ bounded: _bounded, offset: _offset, ...point }) => point),
    reflections: result.reflections,
    ...(result.extracted === null ? {} : { answer: result.extracted }),
    ...(result.error ? { error: result.error } : {}),
    ...(result.probeBounds ? { probeBounds: result.probeBounds } : {}),
  };
}

/** Where each generated token starts in the text after the prompt, and that text's length (for probes at the end). */
function generatedTokenOffsets(trace: GradedResult['trace']): { offsets: number[]; chars: number } {
  const offsets: number[] = [];
  let chars = 0;
  for (const segment of trace) {
    if (segment.kind === 'prompt') continue;
    if (segment.kind === 'generated') {
      for (const token of segment.tokens) {
        offsets.push(chars);
        chars += token.text.length;
      }
    } else chars += segment.text.length;
  }
  offsets.push(chars);
  return { offsets, chars };
}

function fallbackOffset({ offsets, chars }: { offsets: number[]; chars: number }, position: number): number {
  return offsets[Math.min(position, offsets.length - 1)] ?? chars;
}

/** The report's view of one result and its trace (probe markers at character offsets). */
export function reportResult(result: GradedResult, traceIndex: number): { summary: ResultSummary; trace: TraceRecord } {
  // Walked on demand: only records graded before offsets were recorded need every token's offset.
  let fallback: { offsets: number[]; chars: number } | undefined;
  const trace: TraceRecord = {
    segments: result.trace.map((s) => (s.kind === 'injected' ? { kind: s.kind, text: s.text, label: s.label } : { kind: s.kind, text: s.text })),
    probes: result.confidence.map((p) => ({
      // Offsets recorded at grading time count thinking tokens as the probes do; the fallback (older
      // records) counts every generated token.
      offset: p.offset ?? fallbackOffset((fallback ??= generatedTokenOffsets(result.trace)), p.position),
      position: p.position,
      ...(p.pCorrect === undefined ? {} : { pCorrect: p.pCorrect }),
      ...(p.lhat === undefined ? {} : { lhat: p.lhat }),
      ...(p.bounded === true ? { bounded: true } : {}),
    })),
  };
  const summary: ResultSummary = {
    problemId: result.problemId,
    intervention: result.intervention.label,
    sample: result.sample,
    ...(result.extracted === null ? {} : { answer: result.extracted }),
    correct: result.correct,
    thinkingTokens: result.counts.thinking,
    answerTokens: result.counts.answer,
    capFired: result.capFired,
    confidence: result.confidence,
    ...(result.reflections.length > 0 ? { reflections: result.reflections } : {}),
    trace: traceIndex,
    ...(result.error ? { error: result.error } : {}),
  };
  return { summary, trace };
}
