/**
 * NoWait by emulation bans whole words only: a model whose thinking says "await" and "Waiting"
 * (which the server's stop strings catch, as substrings) keeps them; only the whole word "Wait"
 * is replaced by the model's best allowed alternative. Real Ollama backend over HTTP against the
 * simulator's server, with a scripted model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeneratedToken, SimModel, SimTemplate } from '../../src/sim/model/types.ts';
import { tokenize } from '../../src/sim/model/tokenizer.ts';
import { ModelCatalog } from '../../src/sim/server/catalog.ts';
import { parseFaults } from '../../src/sim/server/faults.ts';
import { parseLatency } from '../../src/sim/server/latency.ts';
import { listen, type RunningServer } from '../../src/sim/server/server.ts';
import { runPlan } from '../../src/engine/index.ts';
import { interventionFromSpec } from '../../src/interventions/index.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { GREEDY, ollamaAt } from './engine-helpers.ts';

const template: SimTemplate = {
  family: 'qwen2',
  ollamaTemplate: '{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n',
  render(messages, continueLast) {
    let out = '';
    messages.forEach((m, i) => {
      const open = continueLast && i === messages.length - 1;
      out += `<|im_start|>${m.role}\n${m.content}${open ? '' : '<|im_end|>\n'}`;
    });
    return continueLast ? out : `${out}<|im_start|>assistant\n`;
  },
  thinkOpen: '<think>',
  thinkClose: '</think>',
  stop: ['<|im_start|>', '<|im_end|>'],
};

/** The script: [token, alternatives]. Only "Wait" has allowed alternatives worth taking. */
const SCRIPT: [string, string[]][] = [
  [' Let', []], [' us', []], [' await', []], [' the', []], [' sum', []], ['.', []],
  [' Waiting', []], [' is', []], [' fine', []], ['.', []], ['\n\n', []],
  ['Wait', ['So', 'Now']], [',', []], [' it', []], [' is', []], [' 7', []], ['.', []], ['\n', []],
  ['</think>', []], ['\n\n', []], ['The', []], [' answer', []], [' is', []], [' \\boxed{7}', []], ['.', []],
];

function token(text: string, alternatives: string[]): GeneratedToken {
  return { token: text, logprob: Math.log(0.7), top: [{ token: text, logprob: Math.log(0.7) }, ...alternatives.map((a, i) => ({ token: a, logprob: Math.log(0.2 / (i + 1)) })), ...(alternatives.length === 0 ? [{ token: ' zz', logprob: Math.log(0.3) }] : [])] };
  // (' zz' completes the distribution: the backend refuses a shorter list than asked that leaves probability out.)
}

/** Next token after `written` (the text after the thinking opened): follows the script, taking listed alternatives and finishing a token a stop string cut. */
function nextToken(written: string): GeneratedToken | null {
  let pos = 0;
  for (const [text, alternatives] of SCRIPT) {
    if (pos >= written.length) return token(text, alternatives);
    if (written.startsWith(text, pos)) {
      pos += text.length;
      continue;
    }
    const rest = written.slice(pos);
    if (text.startsWith(rest)) return token(text.slice(rest.length), []);
    const alt = alternatives.find((a) => written.startsWith(a, pos));
    if (!alt) return null;
    pos += alt.length;
  }
  return null;
}

const MODEL = 'script-think';
const model: SimModel = {
  name: MODEL,
  contextLength: 32768,
  template,
  tokenize,
  start(prompt) {
    const open = prompt.lastIndexOf('<think>');
    let written = open >= 0 ? prompt.slice(open + 7).replace(/^\n/, '') : '';
    return {
      next() {
        const t = nextToken(written);
        if (t) written += t.token;
        return t;
      },
    };
  },
  logprobOf() {
    return { logprob: 0, tokens: [] };
  },
};

let server: RunningServer;
beforeAll(async () => {
  const catalog = new ModelCatalog([{ name: MODEL, card: { script: 'nowait', v: 1 }, create: () => model }]);
  server = await listen({ catalog, parallel: 1, maxQueue: 16, faults: parseFaults(undefined), latency: parseLatency(undefined), onInternalError: (m) => process.stderr.write(`${m}\n`) }, 0, '127.0.0.1');
});
afterAll(async () => {
  await server?.close();
});

describe('suppressReflection (NoWait) on words that contain a banned one', () => {
  it('keeps "await" and "Waiting", replaces only the whole word "Wait"', async () => {
    const outcome = await runPlan({
      backend: ollamaAt(server.url),
      store: openStore(':memory:'),
      model: MODEL,
      template: chatmlQwq(),
      problems: [{ id: 'p', question: 'What is 3 + 4?', answer: '7' }],
      interventions: [interventionFromSpec({ type: 'baseline' }), interventionFromSpec({ type: 'suppressReflection' })],
      runId: 'nowait',
      sampling: GREEDY,
      maxThinkingTokens: 200,
      answerTokens: 20,
    });
    const base = outcome.results.find((r) => r.intervention.type === 'baseline')!;
    const nowait = outcome.results.find((r) => r.intervention.type === 'suppressReflection')!;
    expect(base.thinking).toContain(' Let us await the sum. Waiting is fine.\n\nWait, it is 7.');
    expect(nowait.thinking).toContain(' Let us await the sum. Waiting is fine.\n\nSo, it is 7.');
    expect(nowait.substitutions).toEqual([{ position: expect.any(Number), banned: 'Wait', chosen: 'So' }]);
    expect(nowait.answer).toContain('\\boxed{7}');
  });
});
