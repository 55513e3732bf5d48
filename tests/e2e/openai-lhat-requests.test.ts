/**
 * L-hat on an OpenAI-compatible server costs exactly one request per probe (echo + logprobs scores
 * prefix + suffix + reference at once), counted at the simulator over HTTP, on the calibrated
 * twin's long traces and on references of several tokens, through the run's own L-hat pass
 * (runner/confidence-pass.ts), on one host and on a pool of hosts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.ts';
import { createOpenAIBackend } from '../../src/backends/openai.ts';
import { createPoolBackend } from '../../src/backends/pool.ts';
import type { Result } from '../../src/core/model.ts';
import { RAML_SAMPLING, runPlan } from '../../src/engine/index.ts';
import { interventionFromSpec } from '../../src/interventions/index.ts';
import { families, generateProblem } from '../../src/problems/families/index.ts';
import type { Problem } from '../../src/problems/problem.ts';
import { cachedBackend } from '../../src/runner/cached-backend.ts';
import { measureLhat } from '../../src/runner/confidence-pass.ts';
import { loadCard } from '../../src/sim/cards/load.ts';
import { createSimModel } from '../../src/sim/model/index.ts';
import { startSimServer, type SimServer } from '../../src/sim/server/index.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { chatmlQwq } from '../../src/templates/index.ts';

const MODEL = 'sim-qwq';
const template = chatmlQwq();
const layout = { delims: { thinkOpen: template.thinkOpen, thinkClose: template.thinkClose }, opensInPrompt: !template.opensThinkingItself };
const servers: SimServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Two problems whose reference the twin writes as several tokens (`-46`), one as one. */
function pickProblems(): Problem[] {
  const twin = createSimModel(loadCard(MODEL));
  const candidates = Array.from({ length: 40 }, (_, i) => generateProblem(families[i % families.length]!, 1000 + i, 5));
  const multi = candidates.filter((p) => twin.tokenize(p.answer).length > 1).slice(0, 2);
  const single = candidates.filter((p) => twin.tokenize(p.answer).length === 1).slice(0, 1);
  if (multi.length < 2) throw new Error('expected two generated problems with a multi-token answer');
  return [...multi, ...single];
}

async function traces(backend: Backend, problems: Problem[]): Promise<Result[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-openai-lhat-'));
  dirs.push(dir);
  const store = openStore(join(dir, 'store.sqlite'));
  try {
    const run = await runPlan({
      backend,
      store,
      model: MODEL,
      template,
      problems,
      interventions: [interventionFromSpec({ type: 'probes', every: 384 }, 'probes')],
      runId: 'lhat-requests',
      seed: 0,
      sampling: RAML_SAMPLING,
      concurrency: 4,
      maxThinkingTokens: 8192,
      answerTokens: 256,
      probeTokens: 16,
      rowAlternatives: false,
    });
    return run.results.filter((r) => r.probes.length > 0);
  } finally {
    store.close();
  }
}

/** Runs the L-hat pass and returns the /v1/completions requests each probe cost, read at the servers. */
async function requestsPerProbe(backend: Backend, sims: readonly SimServer[], problems: Problem[], records: Result[]) {
  const served = (): number => sims.reduce((n, s) => n + s.stats().requests, 0);
  const perProbe: number[] = [];
  let last = served();
  const points = await measureLhat({
    backend,
    model: MODEL,
    records,
    problems: new Map(problems.map((p) => [p.id, p])),
    layout,
    onProbe: () => {
      perProbe.push(served() - last);
      last = served();
    },
  });
  return { perProbe, points: [...points.values()].flat() };
}

describe('L-hat on the OpenAI-compatible simulator', () => {
  const problems = pickProblems();
  let sims: SimServer[] = [];
  let records: Result[] = [];

  beforeAll(async () => {
    sims = await Promise.all([0, 1].map(() => startSimServer({ port: 0, parallel: 4 })));
    servers.push(...sims);
    const backend = createOpenAIBackend({ host: sims[0]!.url, numCtx: 16384 });
    await backend.describe(MODEL);
    records = await traces(backend, problems);
  });

  it('costs one request per probe on one host, long traces and multi-token references included', async () => {
    expect(Math.max(...records.map((r) => r.counts.thinking))).toBeGreaterThan(1000); // the twin's real length
    const backend = createOpenAIBackend({ host: sims[0]!.url, numCtx: 16384 });
    await backend.describe(MODEL);
    const { perProbe, points } = await requestsPerProbe(backend, sims, problems, records);
    expect(perProbe.length).toBeGreaterThanOrEqual(8);
    expect(perProbe).toEqual(perProbe.map(() => 1));
    // Scored exactly, not as bounds, at every probe.
    expect(points.length).toBe(perProbe.length);
    expect(points.every((p) => !p.bounded && Number.isFinite(p.lhat))).toBe(true);
  });

  it('costs one request per probe through the run store, and none when a resumed run replays it', async () => {
    const backend = createOpenAIBackend({ host: sims[0]!.url, numCtx: 16384 });
    const info = await backend.describe(MODEL);
    const dir = mkdtempSync(join(tmpdir(), 'tp-openai-lhat-store-'));
    dirs.push(dir);
    const store = openStore(join(dir, 'store.sqlite'));
    try {
      const first = await requestsPerProbe(cachedBackend(backend, store, info, 'lhat'), sims, problems, records);
      expect(first.perProbe.length).toBeGreaterThanOrEqual(8);
      expect(first.perProbe).toEqual(first.perProbe.map(() => 1));
      const replay = await requestsPerProbe(cachedBackend(backend, store, info, 'lhat'), sims, problems, records);
      expect(replay.perProbe).toEqual(first.perProbe.map(() => 0));
      expect(replay.points).toEqual(first.points);
    } finally {
      store.close();
    }
  });

  it('costs one request per probe through a pool of hosts', async () => {
    const pool = createPoolBackend({ hosts: sims.map((s) => ({ url: s.url, slots: 2, backend: createOpenAIBackend({ host: s.url, numCtx: 16384 }) })) });
    await pool.describe(MODEL);
    const { perProbe } = await requestsPerProbe(pool, sims, problems, records);
    expect(perProbe.length).toBeGreaterThanOrEqual(8);
    expect(perProbe).toEqual(perProbe.map(() => 1));
  });
});
