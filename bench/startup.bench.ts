/**
 * How fast the CLI starts: `thinkprobe --version` and `--help` against a bare `node -e 0`, from a
 * clone (bin/ runs the sources through tsx) and as installed (dist/, built by `npm run build`).
 * The target is 10x a bare Node start. Prints medians and ends with one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = `${root}bin/thinkprobe.js`;
const distMain = `${root}dist/cli/main.js`;
const RUNS = Number(process.env['RUNS'] ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return Math.round(median(times));
}

// The installed package's bin runs dist/cli/main.js exactly like this.
const installed = (flag: string): string[] => ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(distMain)}); process.exitCode = await main(['node', 'thinkprobe', ${JSON.stringify(flag)}]);`];

const figures: Record<string, number> = { nodeMs: time(['-e', '0']) };
figures['versionMs'] = time([bin, '--version']);
figures['helpSourcesMs'] = time([bin, '--help']);
if (existsSync(distMain)) figures['helpInstalledMs'] = time(installed('--help'));
const base = figures['nodeMs'] ?? 1;
for (const [name, ms] of Object.entries(figures)) {
  process.stdout.write(`${name.padEnd(16)} ${String(ms).padStart(6)} ms  ${(ms / base).toFixed(1)}x node -e 0\n`);
}
if (!existsSync(distMain)) process.stdout.write('dist/ not built: run `npm run build` to measure the installed CLI\n');
const ratios = Object.fromEntries(Object.entries(figures).filter(([k]) => k !== 'nodeMs').map(([k, ms]) => [k.replace(/Ms$/, 'Ratio'), Number((ms / base).toFixed(2))]));
process.stdout.write(`${JSON.stringify({ bench: 'startup', runs: RUNS, ...figures, ...ratios })}\n`);
