import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildHtmlReport } from '../../reports/html/build.ts';
import { loadRun } from '../../runner/load-run.ts';

/** `thinkprobe report <run-dir>`: rebuilds the HTML report from a run's stored records. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description("Rebuild a run's HTML report (index.html) from its stored records.")
    .argument('<run-dir>', 'a run folder written by thinkprobe run, e.g. reports/quickstart/<run-id>')
    .action(async (dir: string) => {
      const { data } = loadRun(dir);
      const file = join(dir, 'index.html');
      writeFileSync(file, await buildHtmlReport(data));
      process.stdout.write(`${file}\n`);
    });
}
