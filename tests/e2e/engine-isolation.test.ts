/**
 * Errors stay in their row: a request the server refuses fails the result that needed it, and only
 * that one. The other results of the same problem (same trace tree) finish as usual.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../src/engine/index.ts';
import { interventionFromSpec } from '../../src/interventions/index.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { startToyOllama, TOY_OLLAMA_MODEL, type ToyOllama } from '../fixtures/toy-ollama.ts';
import { GREEDY, ollamaAt, tempStoreFile } from './engine-helpers.ts';

let server: ToyOllama;
beforeAll(async () => {
  // NoWait's requests carry its banned words as stop strings: the server refuses exactly those.
  server = await startToyOllama({ refuse: (r) => (r.stop.includes('Wait') ? 'unusable request: stop strings refused' : undefined) });
});
afterAll(async () => {
  await server.close();
});

describe('a failing request fails its own result only', () => {
  it('keeps baseline, extend and inject rows of the same problem valid when NoWait fails', async () => {
    const store = openStore(tempStoreFile());
    try {
      const specs = [{ type: 'baseline' }, { type: 'extend', times: 1 }, { type: 'injectReflection', fraction: 0.5 }, { type: 'suppressReflection' }];
      const outcome = await runPlan({
        backend: ollamaAt(server.url),
        store,
        model: TOY_OLLAMA_MODEL,
        template: chatmlQwq(),
        problems: [
          { id: 'a', question: 'What is 17 + 25?', answer: '42' },
          { id: 'b', question: 'What is 3 + 4?', answer: '7' },
        ],
        interventions: specs.map((s, i) => interventionFromSpec(s, `specs/${i}`)),
        runId: 'isolation',
        sampling: GREEDY,
        maxThinkingTokens: 200,
        answerTokens: 16,
      });
      expect(outcome.results).toHaveLength(8);
      for (const row of outcome.results) {
        if (row.intervention.type === 'suppressReflection') {
          expect(row.error).toMatch(/^problem [ab]: .*stop strings refused/);
          expect(row.correct).toBe(false);
        } else {
          expect(row.error, `${row.key}`).toBeUndefined();
          expect(row.answer).toMatch(/\\boxed\{\d+\}/);
        }
      }
    } finally {
      store.close();
    }
  });
});
