import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { baseline } from '../interventions/index.ts';
import { openStore } from '../store/sqlite-store.ts';
import { chatmlQwq } from '../templates/index.ts';
import type { Backend } from '../backends/backend.ts';
import { runPlan, type RunPlanOptions } from './index.ts';

// Never reached: options are checked before the backend is asked anything.
const unreachable: Backend = {
  label: 'none',
  describe: () => Promise.reject(new Error('not reached')),
  complete: () => Promise.reject(new Error('not reached')),
};

describe('runPlan options', () => {
  const base: RunPlanOptions = {
    backend: unreachable,
    store: openStore(':memory:'),
    model: 'm',
    template: chatmlQwq(),
    problems: [{ id: 'a', question: 'q', answer: '1' }],
    interventions: [baseline()],
    runId: 'r',
  };
  it.each([
    [{ topLogprobs: 21 }, 'topLogprobs: expected an integer from 0 to 20, got 21'],
    [{ maxThinkingTokens: 0 }, 'maxThinkingTokens: expected an integer from 1'],
    [{ concurrency: 1.5 }, 'concurrency: expected an integer from 1 to 1024, got 1.5'],
    [{ sampling: { temperature: -1, topP: 1, topK: 0 } }, 'sampling: expected temperature >= 0'],
  ])('%j is one clear InputError line', async (bad, message) => {
    const error = await runPlan({ ...base, ...bad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(message);
  });
});
