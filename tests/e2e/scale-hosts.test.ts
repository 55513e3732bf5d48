/**
 * Several hosts in one run: trees spread over every host, a host killed mid-run hands its trees to
 * the others, and the results equal those of a run on one host (nothing lost, nothing twice).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSuite } from '../../src/runner/run-suite.ts';
import type { SimServer } from '../../src/sim/server/index.ts';
import { outcomes, simHosts } from './scale-helpers.ts';

const root = resolve(import.meta.dirname, '../..');
const suiteFile = join(root, 'suites/quickstart.suite.ts');
const filter = '/arithmetic-chain\\/[1-6]\\//';
const servers: SimServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
});

describe('run on several hosts', () => {
  it('spreads trees over the hosts, survives a host killed mid-run, and matches a one-host run', async () => {
    const hosts = await simHosts(suiteFile, 4, { parallel: 2, latency: 'decode=0.1ms', filter });
    servers.push(...hosts);
    const [single, a, b, c] = hosts as [SimServer, SimServer, SimServer, SimServer];
    const common = { suiteFile, model: 'sim-qwq', samples: 1, filter, html: false };

    const one = await runSuite({ ...common, out: mkdtempSync(join(tmpdir(), 'tp-scale-one-')), host: single.url, concurrency: 2, log: () => undefined });
    expect(one.status).toBe('completed');

    const lines: string[] = [];
    let killed = false;
    const many = await runSuite({
      ...common,
      out: mkdtempSync(join(tmpdir(), 'tp-scale-many-')),
      host: `${a.url}#2,${b.url}#2,${c.url}#2`,
      log: (line) => lines.push(line),
      onProgress: (p) => {
        // Kill b once it has served part of the run: its unfinished trees must move on.
        if (!killed && p.trees.done >= 2 && b.stats().requests > 0) {
          killed = true;
          void b.close();
        }
      },
    });
    expect(many.status).toBe('completed');
    expect(killed).toBe(true);
    expect(lines.some((l) => l.includes(`host ${b.url} is down`))).toBe(true);
    expect(a.stats().requests).toBeGreaterThan(0);
    expect(c.stats().requests).toBeGreaterThan(0);
    expect(many.data?.run.environment.backend).toMatch(/^pool of 3/);
    expect(outcomes(many.runDir)).toEqual(outcomes(one.runDir));
  });

  it('continues without a host that fails preflight, with one warning line', async () => {
    const hosts = await simHosts(suiteFile, 1, { parallel: 2, filter: '/arithmetic-chain\\/1\\//' });
    servers.push(...hosts);
    const lines: string[] = [];
    const run = await runSuite({
      suiteFile,
      model: 'sim-qwq',
      samples: 1,
      filter: '/arithmetic-chain\\/1\\//',
      html: false,
      out: mkdtempSync(join(tmpdir(), 'tp-scale-pre-')),
      // Port 9 (discard) on loopback: nothing listens there in a test environment.
      host: `${hosts[0]!.url}#2,127.0.0.1:9#2`,
      log: (line) => lines.push(line),
    });
    expect(run.status).toBe('completed');
    expect(lines.filter((l) => l.includes('127.0.0.1:9 is not usable'))).toHaveLength(1);
  });
});
