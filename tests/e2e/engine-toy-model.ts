/**
 * A small, prefix-consistent thinking model behind the simulator's real HTTP server (src/sim/server
 * `listen`), for the engine's end-to-end tests while the simulator's behaviour cards are not
 * available. Its next token is a pure function of (question, seed, everything written so far), so
 * continuing from any prefix reproduces its own trace, as the real simulator does. It thinks for a
 * problem-dependent length, writes "Wait" now and then (each Wait lengthens its thinking),
 * answers a boxed number after a close, and answers probes (`\boxed{` at the end of a prompt)
 * with a confidence that rises along the trace.
 */
import { hashInts, hashString, unit } from '../../src/sim/model/hash.ts';
import { tokenize } from '../../src/sim/model/tokenizer.ts';
import type { GeneratedToken, SimModel, SimTemplate } from '../../src/sim/model/types.ts';
import { ModelCatalog } from '../../src/sim/server/catalog.ts';
import { parseFaults } from '../../src/sim/server/faults.ts';
import { parseLatency } from '../../src/sim/server/latency.ts';
import { listen, type RunningServer } from '../../src/sim/server/server.ts';

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

// Every entry tokenizes as itself with the simulator's tokenizer (prefix-consistent continuation).
const WORDS = [' Let', ' me', ' add', ' 3', ' to', ' 4', '.', ' so', ' it', ' is', ' 7', ',', '\n', '\n\n', ' sum', ' the', ' we', ' get', ' one', ' and', ' 5', ' 6', ' 8', ' 9', ' two', ' now', ' yes', ' ok', ' hm'];
const ANSWER = tokenize('\n\nThe answer is \\boxed{42}.');

/** The toy's natural thinking length for a question (before Waits). */
export function toyThinkingLength(question: string, seed: number, temperature: number): number {
  return 60 + (hashInts(hashString(question), temperature === 0 ? 0 : seed) % 120);
}

function tok(token: string, p: number, alternatives: string[]): GeneratedToken {
  const logprob = Math.log(p);
  const top = [{ token, logprob }];
  let q = (1 - p) / 2;
  for (const a of alternatives) {
    if (a === token) continue;
    top.push({ token: a, logprob: Math.log(q) });
    q /= 2;
    if (top.length >= 4) break;
  }
  // Two small fillers hold the rest of the probability, so the listed alternatives are a complete
  // distribution: the backend refuses a list shorter than asked that leaves probability out.
  const rest = 1 - Math.exp(logprob) - top.slice(1).reduce((sum, a) => sum + Math.exp(a.logprob), 0);
  if (rest > 0) top.push({ token: ' zz', logprob: Math.log(rest / 2) }, { token: ' zy', logprob: Math.log(rest / 2) });
  return { token, logprob, top };
}

function toyModel(name: string): SimModel {
  return {
    name,
    contextLength: 32768,
    template,
    tokenize,
    start(prompt, options) {
      const userStart = prompt.indexOf('<|im_start|>user\n');
      const userEnd = prompt.indexOf('<|im_end|>', userStart);
      const question = userStart >= 0 && userEnd > userStart ? prompt.slice(userStart + 17, userEnd) : prompt.slice(0, 64);
      const q = hashString(question);
      const seedPart = options.temperature === 0 ? 0 : options.seed;
      const L = toyThinkingLength(question, options.seed, options.temperature);
      const assistantAt = prompt.lastIndexOf('<|im_start|>assistant\n');
      let text = assistantAt >= 0 ? prompt.slice(assistantAt + 22) : '';
      const openAt = text.indexOf('<think>');
      let thinking = openAt >= 0 ? text.slice(openAt + 7) : text;
      const closeAt = thinking.indexOf('</think>');
      let phase: 'thinking' | 'answer' = closeAt >= 0 ? 'answer' : 'thinking';
      const thinkTokens = tokenize(closeAt >= 0 ? thinking.slice(0, closeAt) : thinking);
      let n = thinkTokens.length;
      let waits = thinkTokens.filter((t) => t === 'Wait').length;
      let k = closeAt >= 0 ? tokenize(thinking.slice(closeAt + 8)).length : 0;
      let last = thinkTokens[thinkTokens.length - 1] ?? '';
      let done = false;
      return {
        next(): GeneratedToken | null {
          if (done) return null;
          const emit = (t: string, p: number, alts: string[]): GeneratedToken => {
            text += t;
            last = t;
            return tok(t, p, alts);
          };
          // Probe: an open \boxed at the end of the text is answered with a number, then closed.
          const tail = text.slice(-40);
          if (phase === 'thinking' && /\\boxed$/.test(tail)) return emit('{', 0.99, ['42']);
          const open = phase === 'thinking' ? /\\boxed\{(\d*)$/.exec(tail) : null;
          if (open) {
            const confidence = Math.min(0.999, 0.5 + (0.5 * n) / L);
            if (open[1] === '') return emit(n >= L / 2 ? '42' : '41', confidence, ['41', '43']);
            return emit('}', 0.99, ['.']);
          }
          if (phase === 'answer') {
            const t = ANSWER[k++];
            if (t === undefined) {
              done = true;
              return null;
            }
            return emit(t, 0.9, ['\n\n', ' answer']);
          }
          if (n >= L + 12 * waits) {
            if (/\s$/.test(last) || last === '') {
              phase = 'answer';
              k = 0;
              return emit('</think>', 0.8, ['Wait', '\n\n']);
            }
            n++;
            return emit('\n', 0.8, ['Wait']);
          }
          n++;
          if (last === '\n') {
            waits++;
            return emit('Wait', 0.6, ['So', 'Now']);
          }
          if (last === '\n\n' || last === '') return emit('So', 0.7, ['Now', 'Wait']);
          const h = hashInts(q, seedPart, n);
          let word = WORDS[h % WORDS.length] as string;
          if (word === '\n' && n < 8) word = ' the';
          return emit(word, 0.4 + 0.5 * unit(hashInts(h, 1)), ['\n', ' so', ' the']);
        },
      };
    },
    logprobOf() {
      return { logprob: 0, tokens: [] };
    },
  };
}

export interface EngineToySimOptions {
  faults?: string;
  parallel?: number;
  latency?: string;
}

export const TOY_MODEL = 'toy-think';

/** Starts the simulator's HTTP server on a free port serving `toy-think`. */
export function startEngineToySim(options: EngineToySimOptions = {}): Promise<RunningServer> {
  const catalog = new ModelCatalog([{ name: TOY_MODEL, card: { toy: 'think', v: 1 }, create: () => toyModel(TOY_MODEL) }]);
  return listen(
    {
      catalog,
      parallel: options.parallel ?? 2,
      maxQueue: 256,
      faults: parseFaults(options.faults),
      latency: parseLatency(options.latency),
      onInternalError: (message) => process.stderr.write(`${message}\n`),
    },
    0,
    '127.0.0.1',
  );
}
