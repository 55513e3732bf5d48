import { resolve } from 'node:path';
import { goldenPath } from '../golden/golden.ts';
import type { LoadedSuite } from './load.ts';

/**
 * Where a suite's golden file for a model lives: `<dir>/<suite>/<model>.json`, where dir is the
 * suite's `golden.dir` (relative to the suite file) or `golden/` in the working directory, and
 * the model is `golden.model` when the suite pins one (compare a candidate against another model's
 * baseline), else the model being run.
 */
export function suiteGoldenPath(loaded: LoadedSuite, model: string, cwd: string = process.cwd()): string {
  const settings = loaded.suite.golden;
  const dir = settings?.dir !== undefined ? resolve(loaded.root, settings.dir) : resolve(cwd, 'golden');
  return goldenPath(dir, loaded.suite.name, settings?.model ?? model);
}
