/**
 * `npm run bench:calibration`: the calibrated twin (sim-qwq) against published QwQ-32B figures.
 *
 * Real dataset items from ../shared/datasets (GSM8K, MATH-500 stratified by level, AIME 2024 +
 * 2025). Baseline figures (lengths, accuracy, answer length, reflection density, L-hat's shape)
 * come from the simulator's model API on a large sample; intervention effects (NoWait, DEER,
 * NoThinking, one forced "Wait") from thinkprobe's own interventions run through the engine
 * against the simulator's HTTP server on a smaller one. Targets, tolerances and sources are the
 * table in src/sim/CALIBRATION.md. Prints a table; the last line is one JSON object.
 * BENCH_CARD, BENCH_GSM8K, BENCH_PER_LEVEL, BENCH_AIME, BENCH_ENGINE_* override the sample.
 */
import { loadCard } from '../src/sim/cards/load.ts';
import { engineFigures } from '../src/sim/calibration/engine-figures.ts';
import { calibrationSet, datasetsDir } from '../src/sim/calibration/items.ts';
import { modelFigures } from '../src/sim/calibration/model-figures.ts';
import { CALIBRATION_KEYS, loadTargets, withinTolerance, type CalibrationFigures } from '../src/sim/calibration/targets.ts';

const num = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const shorten = (text: string): string => (text.length > 90 ? `${text.slice(0, 89)}…` : text);

async function main(): Promise<void> {
  const dir = datasetsDir();
  if (!dir) {
    process.stderr.write('bench:calibration: ../shared/datasets not found (set THINKPROBE_DATASETS to the folder with gsm8k.jsonl, math500.jsonl, aime24.jsonl, aime25.jsonl)\n');
    process.exit(2);
  }
  const card = loadCard(process.env['BENCH_CARD'] ?? 'sim-qwq');
  const targets = loadTargets();
  const t0 = performance.now();
  const big = await calibrationSet(dir, { gsm8k: num('BENCH_GSM8K', 300), perLevel: num('BENCH_PER_LEVEL', 100), aime: num('BENCH_AIME', 60) });
  const model = modelFigures(card, big);
  const t1 = performance.now();
  const small = await calibrationSet(dir, { gsm8k: num('BENCH_ENGINE_GSM8K', 5), perLevel: num('BENCH_ENGINE_PER_LEVEL', 3), aime: num('BENCH_ENGINE_AIME', 6) });
  const engine = await engineFigures(card, [...small.gsm8k, ...small.math.flat(), ...small.aime]);
  const t2 = performance.now();

  const figures: CalibrationFigures = { ...model, ...engine };
  console.log(`card ${card.name}; model API: ${big.gsm8k.length} GSM8K, ${big.math.flat().length} MATH-500, ${big.aime.length} AIME items (${((t1 - t0) / 1000).toFixed(1)} s); engine: ${engine.problems} items x 5 interventions, ${engine.decoded.toLocaleString('en-US')} tokens decoded (${((t2 - t1) / 1000).toFixed(1)} s)`);
  console.log('MATH-500 by level (tokens, pass@1): ' + model.mathLevels.map((l, i) => `L${i + 1} ${Math.round(l.tokens)} ${l.acc.toFixed(2)}`).join(', '));
  console.log('');
  console.log(`${'figure'.padEnd(22)}${'target'.padEnd(12)}${'tolerance'.padEnd(18)}${'sim-qwq'.padEnd(12)}ok    source`);
  let failed = 0;
  for (const key of CALIBRATION_KEYS) {
    const t = targets.get(key);
    const value = figures[key];
    const ok = t ? withinTolerance(t, value) : false;
    if (!ok) failed++;
    const shown = Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(3);
    console.log(`${key.padEnd(22)}${(t?.target ?? '?').padEnd(12)}${(t ? `[${t.min}, ${t.max}]` : '?').padEnd(18)}${shown.padEnd(12)}${ok ? 'yes' : 'NO '}   ${t ? shorten(t.source) : 'no target in CALIBRATION.md'}`);
  }
  const hardOverEasy = figures.nothinking_drop_hard > figures.nothinking_drop_easy;
  console.log(`NoThinking loses more on hard than on easy problems: ${hardOverEasy ? 'yes' : 'NO'}`);
  console.log(`${failed === 0 && hardOverEasy ? 'every figure within tolerance' : `${failed + (hardOverEasy ? 0 : 1)} figure(s) outside tolerance`}`);
  const json: Record<string, number> = {};
  for (const key of CALIBRATION_KEYS) json[key] = Number(figures[key].toFixed(4));
  console.log(JSON.stringify(json));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(70);
});
