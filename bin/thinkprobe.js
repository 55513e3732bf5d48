#!/usr/bin/env node
// One entry for both homes of the CLI. In a clone, src/ is here: run the TypeScript sources through
// tsx, so an edit needs no build. In an installed package (the tarball ships dist/, not src/): run
// the compiled JavaScript. Either way tsx stays out of `--version`, which reads package.json only.
import { existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  const sources = new URL('../src/cli/main.ts', import.meta.url);
  let cli;
  if (existsSync(sources)) {
    const { register } = await import('tsx/esm/api');
    register();
    cli = await import(sources.href);
  } else {
    cli = await import('../dist/cli/main.js');
  }
  process.exitCode = await cli.main(process.argv);
}
