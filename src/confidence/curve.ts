import type { Backend } from '../backends/backend.ts';
import { prefixAt } from './positions.ts';
import { teacherForcedLhat, type TeacherForcedResult } from './teacher-forced.ts';

/**
 * L-hat at several positions of one generated trace: the confidence curve RaML plots. Probes run
 * in ascending order, one after another, so each reuses the KV cache its predecessor left (the
 * engine does the same when it schedules probes along a trunk).
 */

export interface LhatAlongOptions {
  backend: Backend;
  model: string;
  /** The rendered prompt the trace was generated after. */
  prompt: string;
  /** The trace's generated thinking tokens, as the server returned them. */
  traceTokens: readonly string[];
  /** Positions (numbers of trace tokens), e.g. from probePositions(). */
  positions: readonly number[];
  reference: string;
  suffix?: string;
  seed?: number;
  signal?: AbortSignal;
  verifyTokenization?: boolean | 'auto';
}

export interface CurvePoint {
  position: number;
  /** position / trace length (0 for an empty trace). */
  fraction: number;
  result: TeacherForcedResult;
}

export async function lhatAlong(options: LhatAlongOptions): Promise<CurvePoint[]> {
  const { traceTokens } = options;
  const positions = [...new Set(options.positions)].sort((a, b) => a - b);
  const points: CurvePoint[] = [];
  for (const position of positions) {
    const result = await teacherForcedLhat({
      backend: options.backend,
      model: options.model,
      prefix: prefixAt(options.prompt, traceTokens, position),
      reference: options.reference,
      ...(options.suffix !== undefined ? { suffix: options.suffix } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.verifyTokenization !== undefined ? { verifyTokenization: options.verifyTokenization } : {}),
    });
    points.push({ position, fraction: traceTokens.length === 0 ? 0 : position / traceTokens.length, result });
  }
  return points;
}
