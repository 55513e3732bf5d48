import { afterAll, beforeAll, describe, it } from 'vitest';
import { runAgainst } from '../fixtures/hostile-cli.ts';
import { expectRowError } from '../fixtures/hostile-expect.ts';
import { startHostileServer, type HostileMode, type HostileServer } from '../fixtures/hostile-server.ts';

/**
 * `thinkprobe run` against servers whose stream is damaged: each damaged reply is the error of its
 * own result (one line naming the request and what was expected), never skipped, and the other
 * result of the run finishes.
 */

const cases: [HostileMode, RegExp][] = [
  ['invalid-json', /line 3: expected one JSON object per line, got "\{"model":"hostile-qwq","response":" half"/],
  ['nan-logprob', /line 3: expected one JSON object per line, got .*\(NaN and Infinity are not JSON numbers: a logprob must be finite\)/],
  ['infinite-logprob', /line 3: logprobs entry 2 logprob is -Infinity; expected a finite number <= 0/],
  ['positive-logprob', /line 3: logprobs entry 2 logprob is 2; expected a finite number <= 0/],
  ['few-alternatives', /line 2: logprobs entry 1 lists 3 alternatives, \d+ were asked \(they hold [\d.]+% of the probability, so the server left some out\)/],
];

const servers = new Map<HostileMode, HostileServer>();
beforeAll(async () => {
  for (const [mode] of cases) servers.set(mode, await startHostileServer(mode));
});
afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.close()));
});

describe('a damaged stream fails its own result with one clear line', () => {
  it.each(cases)('%s', async (mode, what) => {
    const server = servers.get(mode)!;
    const run = await runAgainst(server.url);
    expectRowError(run, what);
  }, 120_000);

});
