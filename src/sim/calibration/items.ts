import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDataset } from '../../problems/datasets.ts';
import type { Problem } from '../../problems/problem.ts';

/** The shared datasets folder (`../shared/datasets` beside the repository), or undefined when absent. */
export function datasetsDir(): string | undefined {
  const dir = process.env['THINKPROBE_DATASETS'] ?? join(fileURLToPath(new URL('../../../', import.meta.url)), '..', 'shared', 'datasets');
  return existsSync(join(dir, 'math500.jsonl')) ? dir : undefined;
}

export interface CalibrationSet {
  gsm8k: Problem[];
  /** MATH-500, by level 1..5 (index 0 = level 1). */
  math: Problem[][];
  aime: Problem[];
  /** How many MATH-500 problems each level has in the full set (weights for the mean). */
  mathLevelCounts: number[];
}

/** Every `step`-th item from `start`, up to `count` (a spread over the file, not its first rows). */
function spread<T>(items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)] as T);
}

/** Real dataset items: `gsm8k` GSM8K rows, `perLevel` MATH-500 rows per level, `aime` AIME 2024 + 2025 rows. */
export async function calibrationSet(dir: string, sizes: { gsm8k: number; perLevel: number; aime: number }): Promise<CalibrationSet> {
  const gsm8k = await readDataset(join(dir, 'gsm8k.jsonl'));
  const math = await readDataset(join(dir, 'math500.jsonl'));
  const aime = [...(await readDataset(join(dir, 'aime24.jsonl'))), ...(await readDataset(join(dir, 'aime25.jsonl')))];
  const levels = [1, 2, 3, 4, 5].map((level) => math.filter((p) => p.difficulty === level));
  return {
    gsm8k: spread(gsm8k, sizes.gsm8k),
    math: levels.map((l) => spread(l, sizes.perLevel)),
    aime: spread(aime, sizes.aime),
    mathLevelCounts: levels.map((l) => l.length),
  };
}
