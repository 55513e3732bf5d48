import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  backoffDelay,
  backoffSchedule,
  isTransientError,
  RequestTimeoutError,
  RetriesExhaustedError,
  StreamCutError,
  StreamErrorLine,
  withRetry,
  type RetryPolicy,
} from './retry.ts';

function responseError(status: number): Error {
  const e = new Error(`status ${status}`) as Error & { status_code: number };
  e.name = 'ResponseError';
  e.status_code = status;
  return e;
}

function fetchFailed(code: string): TypeError {
  const cause = Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
  return new TypeError('fetch failed', { cause });
}

const fast: RetryPolicy = { maxAttempts: 5, baseMs: 1, maxDelayMs: 4, maxTotalMs: 1000 };

describe('backoff schedule', () => {
  const policies = fc.record({
    maxAttempts: fc.integer({ min: 1, max: 20 }),
    baseMs: fc.integer({ min: 1, max: 2000 }),
    maxDelayMs: fc.integer({ min: 1, max: 60_000 }),
    maxTotalMs: fc.integer({ min: 0, max: 600_000 }),
  });

  it('is full jitter under an exponential ceiling, bounded in count and total time', () => {
    fc.assert(
      fc.property(policies, fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 20, maxLength: 20 }), (policy, draws) => {
        let i = 0;
        const schedule = backoffSchedule(policy, () => draws[i++ % draws.length]!);
        expect(schedule.length).toBeLessThanOrEqual(policy.maxAttempts - 1);
        expect(schedule.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(policy.maxTotalMs);
        schedule.forEach((delay, retry) => {
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(Math.max(1, Math.min(policy.maxDelayMs, policy.baseMs * 2 ** retry)));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('doubles its ceiling each retry up to the cap', () => {
    const policy: RetryPolicy = { maxAttempts: 10, baseMs: 100, maxDelayMs: 1000, maxTotalMs: 1e9 };
    const top = () => 0.999999;
    expect(backoffSchedule(policy, top)).toEqual([99, 199, 399, 799, 999, 999, 999, 999, 999]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 1, () => 0.5)).toBe(100);
  });

  it('stops early when the next delay would pass the total time budget', () => {
    const policy: RetryPolicy = { maxAttempts: 10, baseMs: 100, maxDelayMs: 1000, maxTotalMs: 700 };
    expect(backoffSchedule(policy, () => 0.999999)).toEqual([99, 199, 399]);
  });
});

describe('what is transient', () => {
  it.each([
    ['HTTP 500', responseError(500), true],
    ['HTTP 503 (queue full)', responseError(503), true],
    ['HTTP 400', responseError(400), false],
    ['HTTP 404', responseError(404), false],
    ['HTTP 429', responseError(429), false],
    ['connection refused', fetchFailed('ECONNREFUSED'), true],
    ['connection reset', fetchFailed('ECONNRESET'), true],
    ['unknown host', fetchFailed('ENOTFOUND'), false],
    ['body terminated', new TypeError('terminated'), true],
    ['cut stream', new StreamCutError('no done'), true],
    ['timeout', new RequestTimeoutError('idle'), true],
    ['runner crash line', new StreamErrorLine('llama runner process has terminated: exit status 2'), true],
    ['unexpected EOF line', new StreamErrorLine('unexpected EOF'), true],
    ['bad request line', new StreamErrorLine('top_logprobs must be between 0 and 20'), false],
    ['abort', new DOMException('aborted', 'AbortError'), false],
    ['a bug', new RangeError('index out of range'), false],
  ])('%s -> %s', (_label, error, transient) => {
    expect(isTransientError(error)).toBe(transient);
  });
});

describe('withRetry', () => {
  it('retries transient failures and returns the eventual result', async () => {
    const seen: number[] = [];
    const result = await withRetry(
      async (n) => {
        seen.push(n);
        if (n < 3) throw n === 1 ? responseError(503) : new StreamCutError('cut');
        return 'ok';
      },
      { policy: fast },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('never retries a 4xx', async () => {
    let tries = 0;
    await expect(
      withRetry(async () => {
        tries++;
        throw responseError(400);
      }, { policy: fast }),
    ).rejects.toMatchObject({ name: 'ResponseError', status_code: 400 });
    expect(tries).toBe(1);
  });

  it('gives up after maxAttempts with the last cause', async () => {
    let tries = 0;
    const error = await withRetry(async () => {
      tries++;
      throw responseError(500);
    }, { policy: fast }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).attempts).toBe(5);
    expect((error as Error).message).toMatch(/gave up after 5 attempts .*HTTP 500/);
    expect(tries).toBe(5);
  });

  it('gives up when the total time budget is spent, using the injected clock', async () => {
    let clock = 0;
    let tries = 0;
    const error = await withRetry(
      async () => {
        tries++;
        clock += 400; // each try "takes" 400 ms
        throw fetchFailed('ECONNREFUSED');
      },
      { policy: { maxAttempts: 100, baseMs: 1, maxDelayMs: 1, maxTotalMs: 1000 }, now: () => clock },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(tries).toBe(3);
  });

  it('stops waiting the moment the signal aborts and does not try again', async () => {
    const controller = new AbortController();
    let tries = 0;
    const pending = withRetry(
      async () => {
        tries++;
        setTimeout(() => controller.abort(new DOMException('interrupted', 'AbortError')), 5);
        throw responseError(503);
      },
      { policy: { maxAttempts: 5, baseMs: 3_600_000, maxDelayMs: 3_600_000, maxTotalMs: 1e9 }, random: () => 0.9, signal: controller.signal },
    );
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(tries).toBe(1);
  });
});
