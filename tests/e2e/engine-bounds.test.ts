/**
 * Every result is bounded, whatever the server does: a property over every built-in intervention,
 * run against adversarial toy Ollama servers (real HTTP on port 0, the real Ollama backend, a real
 * SQLite store). Each run must terminate, keep its thinking within `maxThinkingTokens` and its
 * answer within `answerTokens` (so its generated tokens within both plus the few tokens that carry
 * the close), and send a bounded number of requests.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan, defaultRequestBudget } from '../../src/engine/index.ts';
import { interventionFromSpec } from '../../src/interventions/index.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { startToyOllama, TOY_OLLAMA_MODEL, type ToyMode, type ToyOllama } from '../fixtures/toy-ollama.ts';
import { GREEDY, ollamaAt, tempStoreFile } from './engine-helpers.ts';

const MODES: ToyMode[] = ['the', 'never-close', 'close-at-once', 'wait-every-third', 'words'];

/** Every intervention type the engine builds (src/interventions/index.ts), with small parameters. */
const SPECS: Record<string, unknown> = {
  baseline: { type: 'baseline' },
  noThinking: { type: 'noThinking' },
  stopPhrase: { type: 'stopPhrase' },
  stopInstruction: { type: 'stopInstruction' },
  budget: { type: 'budget', tokens: 6 },
  extend: { type: 'extend', times: 3 },
  injectAt: { type: 'injectReflection', at: 3 },
  injectFraction: { type: 'injectReflection', fraction: 0.5 },
  injectParagraphs: { type: 'injectReflection', paragraphs: true, max: 3 },
  suppressReflection: { type: 'suppressReflection' },
  softBudget: { type: 'softBudget', tokens: 8 },
  deer: { type: 'earlyExit', method: 'deer' },
  dynasor: { type: 'earlyExit', method: 'dynasor', every: 4, window: 2 },
  probesEvery: { type: 'probes', every: 4 },
  probesWords: { type: 'probes', words: true },
};

const servers = new Map<ToyMode, ToyOllama>();
beforeAll(async () => {
  for (const mode of MODES) servers.set(mode, await startToyOllama({ mode }));
});
afterAll(async () => {
  for (const s of servers.values()) await s.close();
});

/** Tokens that carry the open/close delimiters are neither thinking nor answer tokens. */
const DELIMITER_SLACK = 3;

describe('every intervention is bounded on adversarial servers', () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    it(`${name}: terminates within maxThinkingTokens + injected text + answerTokens and a bounded number of requests`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...MODES), fc.integer({ min: 4, max: 24 }), fc.integer({ min: 2, max: 10 }), async (mode, maxThinking, answerTokens) => {
          const server = servers.get(mode) as ToyOllama;
          const store = openStore(tempStoreFile());
          const before = server.generateRequests;
          try {
            const outcome = await runPlan({
              backend: ollamaAt(server.url),
              store,
              model: TOY_OLLAMA_MODEL,
              template: chatmlQwq(),
              problems: [{ id: 'p', question: 'What is 17 + 25?', answer: '42' }],
              interventions: [interventionFromSpec(spec, name)],
              runId: 'bounds',
              sampling: GREEDY,
              maxThinkingTokens: maxThinking,
              answerTokens,
              probeTokens: 6,
              scanChunk: 4,
            });
            expect(outcome.results).toHaveLength(1);
            const row = outcome.results[0];
            if (!row) return;
            expect(row.error).toBeUndefined();
            expect(row.counts.thinking).toBeLessThanOrEqual(maxThinking);
            expect(row.counts.answer).toBeLessThanOrEqual(answerTokens);
            expect(row.counts.generated).toBeLessThanOrEqual(maxThinking + answerTokens + DELIMITER_SLACK);
            expect(server.generateRequests - before).toBeLessThanOrEqual(defaultRequestBudget(maxThinking, answerTokens));
          } finally {
            store.close();
          }
        }),
        // Every server once at limits its thinking can close within, then random limits.
        { numRuns: MODES.length + 2, seed: 14, examples: MODES.map((mode): [ToyMode, number, number] => [mode, 20, 8]) },
      );
    });
  }
});
