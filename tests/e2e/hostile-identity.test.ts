import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnreachableError } from '../../src/core/errors.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { runAgainst, runFolder } from '../fixtures/hostile-cli.ts';
import { expectServerRefused } from '../fixtures/hostile-expect.ts';
import { HOSTILE_MODEL, startHostileServer, type HostileServer } from '../fixtures/hostile-server.ts';

/**
 * `thinkprobe run` against servers that stop being Ollama mid-run: a 200 with an HTML page, and an
 * `{"error"}` line whose text would clear the screen and retitle the terminal. The run stops with
 * exit 3 and one line (server text escaped), and keeps what finished for a rerun.
 */

let html: HostileServer;
let escapes: HostileServer;
beforeAll(async () => {
  [html, escapes] = await Promise.all([startHostileServer('html'), startHostileServer('escape-error')]);
});
afterAll(async () => {
  await Promise.all([html, escapes].map((s) => s?.close()));
});

describe('a reply that is not Ollama stops the run with one line', () => {
  it('a 200 with an HTML body is named as such', async () => {
    const run = await runAgainst(html.url);
    expectServerRefused(run, /answered text\/html: is this an Ollama server\? \(expected application\/x-ndjson\)$/);
    expect(html.stats().hostile).toBe(1);

    // The run stays resumable, and another spelling of the same host finds it (one run identity).
    const stopped = runFolder(run);
    const log: string[] = [];
    const rerun = runSuite({ suiteFile: join(run.work, 'hostile.suite.json'), model: HOSTILE_MODEL, host: `HTTP://127.0.0.1:${html.port}/`, out: run.out, html: false, log: (l) => log.push(l) });
    await expect(rerun).rejects.toBeInstanceOf(BackendUnreachableError);
    expect(log.join('\n')).toContain(`resuming interrupted run ${stopped.split('/').at(-1)}`);
    expect(readdirSync(join(run.out, 'hostile'))).toHaveLength(1);
    expect(html.stats().hostile).toBe(2); // the finished result was replayed from the store, only the attacked one asked again
  }, 120_000);

  it('an error line with terminal escape sequences is quoted with every escape visible', async () => {
    const run = await runAgainst(escapes.url);
    const line = run.stderr.split('\n').find((l) => l.startsWith('thinkprobe: ')) ?? '';
    expectServerRefused(run, /: server error mid-stream: /);
    expect(line).toContain('\\u001b[2J\\u001b]0;pwned\\u0007\\u001b[31mmodel exploded\\u001b[0m');
  }, 120_000);
});
