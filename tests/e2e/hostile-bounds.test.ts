import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgainst } from '../fixtures/hostile-cli.ts';
import { expectRowError, expectServerRefused } from '../fixtures/hostile-expect.ts';
import { startHostileServer, type HostileServer } from '../fixtures/hostile-server.ts';

/**
 * `thinkprobe run` against servers that try to make a request unbounded: a flood that ignores
 * num_predict and never sends done, a 50 MB line, a trickle of one byte per second. Each ends in
 * bounded time (the test timeouts) and bounded memory (the child's peak RSS), with one line.
 */

let flood: HostileServer;
let huge: HostileServer;
let trickle: HostileServer;
beforeAll(async () => {
  [flood, huge, trickle] = await Promise.all([startHostileServer('flood'), startHostileServer('huge-line'), startHostileServer('trickle')]);
});
afterAll(async () => {
  await Promise.all([flood, huge, trickle].map((s) => s?.close()));
});

describe('a reply that would not end is cut at its bound', () => {
  it('a flood that ignores num_predict is stopped just past the token limit', async () => {
    const run = await runAgainst(flood.url);
    // maxThinkingTokens 64: the limit is 64 + a margin of 8.
    expectRowError(run, /line 73: the server sent more than 72 tokens for num_predict 64 and had not finished \(does it ignore num_predict\?\)/);
  }, 120_000);

  it('a 50 MB line is refused at the line cap, before the rest of it is read', async () => {
    const run = await runAgainst(huge.url, { THINKPROBE_MAX_LINE_BYTES: String(256 << 10) });
    expectRowError(run, /line 3: the server sent a line longer than 262144 bytes; expected one JSON object per token/);
  }, 120_000);

  it('a trickle of one byte per second meets the overall deadline, however often bytes arrive', async () => {
    // Deadline = grace 1 s + 64 tokens at 50 tokens/s = 2.3 s; the idle timeout stays at its default.
    const run = await runAgainst(trickle.url, { THINKPROBE_DEADLINE_GRACE_MS: '1000', THINKPROBE_MIN_TOKENS_PER_S: '50' });
    expectServerRefused(run, /: no complete reply within 2\.3 s for num_predict 64 \(expected at least 50 tokens\/s after 1\.0 s; .*rerun to resume/);
    expect(trickle.stats().hostile).toBe(1); // a deadline is not retried: the server is too slow for the run
  }, 120_000);

});
