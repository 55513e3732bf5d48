import { readFileSync } from 'node:fs';

/** The figures `npm run bench:calibration` prints, in its JSON line's order. */
export const CALIBRATION_KEYS = [
  'gsm8k_tokens',
  'math500_tokens',
  'aime_tokens',
  'gsm8k_acc',
  'math500_acc',
  'aime_acc',
  'answer_tokens',
  'reflections_per_1k',
  'nowait_token_cut',
  'nowait_acc_delta',
  'deer_token_cut',
  'deer_acc_delta',
  'nothinking_drop_easy',
  'nothinking_drop_hard',
  'wait_x1_delta_hard',
  'raml_fig6_ratio',
  'lhat_falls_share',
] as const;
export type CalibrationKey = (typeof CALIBRATION_KEYS)[number];
export type CalibrationFigures = Record<CalibrationKey, number>;

export interface CalibrationTarget {
  key: CalibrationKey;
  /** The target as written (e.g. "4,508", "0.16-0.31"). */
  target: string;
  min: number;
  max: number;
  source: string;
}

export const CALIBRATION_FILE = new URL('../CALIBRATION.md', import.meta.url);

/** Reads the targets table of CALIBRATION.md: `| \`key\` | target | [min, max] | source |` rows. */
export function parseTargets(markdown: string): Map<CalibrationKey, CalibrationTarget> {
  const out = new Map<CalibrationKey, CalibrationTarget>();
  const row = /^\|\s*`([a-z0-9_]+)`\s*\|\s*([^|]+?)\s*\|\s*\[\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\]\s*\|\s*(.+?)\s*\|\s*$/;
  for (const line of markdown.split('\n')) {
    const m = row.exec(line);
    if (!m) continue;
    const key = m[1] as CalibrationKey;
    if (!(CALIBRATION_KEYS as readonly string[]).includes(key)) continue;
    out.set(key, { key, target: m[2] ?? '', min: Number(m[3]), max: Number(m[4]), source: m[5] ?? '' });
  }
  return out;
}

export function loadTargets(): Map<CalibrationKey, CalibrationTarget> {
  return parseTargets(readFileSync(CALIBRATION_FILE, 'utf8'));
}

export function withinTolerance(target: CalibrationTarget, value: number): boolean {
  return Number.isFinite(value) && value >= target.min && value <= target.max;
}
