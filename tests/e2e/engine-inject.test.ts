/** Injected words get the separator the text needs: "…add Wait", never "…addWait". */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan } from '../../src/engine/index.ts';
import { interventionFromSpec } from '../../src/interventions/index.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { startToyOllama, TOY_OLLAMA_MODEL, type ToyOllama } from '../fixtures/toy-ollama.ts';
import { GREEDY, ollamaAt, tempStoreFile } from './engine-helpers.ts';

let server: ToyOllama;
beforeAll(async () => {
  server = await startToyOllama();
});
afterAll(async () => {
  await server.close();
});

describe('injected words', () => {
  it('are separated from the word before them', async () => {
    const store = openStore(tempStoreFile());
    try {
      const specs = [{ type: 'injectReflection', at: 3 }, { type: 'injectReflection', word: 'Hmm', fraction: 0.5 }, { type: 'extend', times: 1 }];
      const outcome = await runPlan({
        backend: ollamaAt(server.url),
        store,
        model: TOY_OLLAMA_MODEL,
        template: chatmlQwq(),
        problems: [{ id: 'a', question: 'What is 17 + 25?', answer: '42' }],
        interventions: specs.map((s, i) => interventionFromSpec(s, `specs/${i}`)),
        runId: 'inject',
        sampling: GREEDY,
        maxThinkingTokens: 200,
        answerTokens: 16,
      });
      for (const row of outcome.results) {
        expect(row.error).toBeUndefined();
        expect(row.injections.length).toBeGreaterThan(0);
        for (const injection of row.injections) {
          const at = row.thinking.indexOf(injection.text.trim());
          expect(at, row.thinking).toBeGreaterThan(0);
          // The character before the word is whitespace: never a letter, digit or punctuation glued to it.
          expect(row.thinking[at - 1], row.thinking).toMatch(/\s/);
        }
      }
    } finally {
      store.close();
    }
  });
});
