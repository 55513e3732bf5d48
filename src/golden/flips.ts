/**
 * The flips a release gate found, as the files and the terminal name them. The noRegression check
 * stores every flip in its evidence (`flips`); reports read them back from there, so a report
 * rebuilt from summary.json names the same problems as the run that wrote it.
 */

export type Outcome = 'correct' | 'wrong';

export interface GateFlip {
  problemId: string;
  intervention: string;
  sample: number;
  golden: Outcome;
  now: Outcome;
}

/** The terminal shows this many flips, then "and N more" (the files list every one). */
export const TERMINAL_FLIPS = 20;

function isOutcome(value: unknown): value is Outcome {
  return value === 'correct' || value === 'wrong';
}

function asFlip(value: unknown): GateFlip | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['problemId'] !== 'string' || typeof v['intervention'] !== 'string' || typeof v['sample'] !== 'number') return undefined;
  if (!isOutcome(v['golden']) || !isOutcome(v['now'])) return undefined;
  return { problemId: v['problemId'], intervention: v['intervention'], sample: v['sample'], golden: v['golden'], now: v['now'] };
}

/** Every flip a check's evidence lists (none for checks that are not golden gates). */
export function gateFlips(evidence: unknown): GateFlip[] {
  if (typeof evidence !== 'object' || evidence === null) return [];
  const flips = (evidence as Record<string, unknown>)['flips'];
  if (!Array.isArray(flips)) return [];
  return flips.map(asFlip).filter((f): f is GateFlip => f !== undefined);
}

/** `id · intervention · sample N: correct -> wrong` */
export function flipLine(flip: GateFlip): string {
  return `${flip.problemId} · ${flip.intervention} · sample ${flip.sample}: ${flip.golden} -> ${flip.now}`;
}

/** A heading and one line per flip, the first `limit` of them, then "and N more". */
export function flipLines(flips: readonly GateFlip[], limit = Number.POSITIVE_INFINITY): string[] {
  if (flips.length === 0) return [];
  const regressed = flips.filter((f) => f.golden === 'correct').length;
  const heading = `flipped against golden (golden -> now): ${regressed} regressed, ${flips.length - regressed} improved`;
  const shown = flips.slice(0, limit).map(flipLine);
  const more = flips.length - shown.length;
  return [heading, ...shown, ...(more > 0 ? [`and ${more} more (summary.md, junit.xml and summary.json list every one)`] : [])];
}
