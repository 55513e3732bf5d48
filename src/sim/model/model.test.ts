import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSimModel, loadCard, tokenize, RAML_STOP_PHRASE, NO_THINKING_PREFILL } from './index.ts';
import { families, generateProblem } from '../../problems/families/index.ts';
import { generateAll, lastBoxed, problemPrompt, text } from './testing.ts';
import type { GeneratedToken, SamplingOptions } from './types.ts';

const model = createSimModel(loadCard('sim-fast'));
const family = fc.constantFrom(...families);
const sampling = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  temperature: fc.constantFrom(0, 0.6, 1, 1.5),
  topK: fc.constantFrom(0, 40, 2),
  topP: fc.constantFrom(1, 0.95, 0.5),
});

/** Describes the first way a generated token list breaks the logprob contract, or returns undefined. */
function tokenProblem(tokens: GeneratedToken[]): string | undefined {
  const retokenized = tokenize(text(tokens));
  if (retokenized.length !== tokens.length || retokenized.some((t, i) => t !== tokens[i]!.token)) return 'emitted tokens differ from tokenize(output)';
  for (const [i, t] of tokens.entries()) {
    if (t.top.length === 0 || t.top.length > 20) return `token ${i}: ${t.top.length} alternatives`;
    for (let j = 1; j < t.top.length; j++) if (t.top[j - 1]!.logprob < t.top[j]!.logprob) return `token ${i}: alternatives not sorted`;
    if (t.top.reduce((a, x) => a + Math.exp(x.logprob), 0) > 1 + 1e-9) return `token ${i}: alternatives sum above 1`;
    if (t.top.find((x) => x.token === t.token)?.logprob !== t.logprob) return `token ${i}: sampled token missing from its alternatives`;
    if (new Set(t.top.map((x) => x.token)).size !== t.top.length) return `token ${i}: duplicate alternatives`;
  }
  return undefined;
}

function checkTokens(tokens: GeneratedToken[]): void {
  expect(tokenProblem(tokens)).toBeUndefined();
}

describe('sim model: generation', () => {
  it('writes a thinking trace in steps, closes it, and answers in \\boxed{}', () => {
    const { prompt, answer } = problemPrompt(model, 'arithmetic-chain', 11, 2);
    const { tokens, stopped } = generateAll(model, prompt, { seed: 1, temperature: 0, topK: 40, topP: 0.95 });
    const out = text(tokens);
    expect(stopped).toBe(true);
    expect(out.startsWith('<think>\n')).toBe(true);
    expect(out).toMatch(/First, I .* = -?\d+/);
    expect(out.indexOf('</think>')).toBeGreaterThan(50);
    expect(lastBoxed(out)).toBe(answer);
    checkTokens(tokens);
  });

  it('is deterministic: same prompt + options = same tokens; seeds matter only when sampling', () => {
    const { prompt } = problemPrompt(model, 'word-problem', 5, 4);
    const opts: SamplingOptions = { seed: 42, temperature: 1, topK: 0, topP: 1 };
    expect(generateAll(model, prompt, opts).tokens).toEqual(generateAll(model, prompt, opts).tokens);
    const greedy = (seed: number) => text(generateAll(model, prompt, { seed, temperature: 0, topK: 40, topP: 0.95 }).tokens);
    expect(greedy(1)).toBe(greedy(2));
    const outs = new Set([1, 2, 3, 4, 5, 6].map((seed) => text(generateAll(model, prompt, { ...opts, seed }).tokens)));
    expect(outs.size).toBeGreaterThan(1);
  });

  it('continues a prefix of its own output with exactly the rest (any k, any sampling)', () => {
    fc.assert(
      fc.property(family, fc.nat(10_000), fc.integer({ min: 1, max: 5 }), sampling, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), fc.constantFrom('', ' /no_think', ' Think for maximum 300 tokens.'), (fam, seed, d, opts, at, prefill, instruction) => {
        // The harness renders QwQ's template with <think> prefilled; Ollama's own template does not.
        const question = generateProblem(fam, seed, d).question;
        const prompt = model.template.render([{ role: 'user', content: `${question}${instruction}` }], false) + (prefill ? '<think>\n' : '');
        const full = generateAll(model, prompt, opts).tokens;
        checkTokens(full);
        if (instruction === '') expect(text(full).startsWith(prefill ? 'Okay' : '<think>\nOkay')).toBe(true);
        const k = Math.floor(at * full.length);
        const rest = generateAll(model, prompt + text(full.slice(0, k)), opts).tokens;
        expect(rest).toEqual(full.slice(k));
      }),
      { numRuns: 40 },
    );
  });

  const injections = [
    'Wait',
    ' Wait,',
    '\n</think>\n\n',
    `${NO_THINKING_PREFILL}\n</think>\n\n`,
    '\n\n**Final Answer**\n\\boxed{',
    '\n**Final Answer**\n\\boxed',
    '\n</think>\n\nFinal Answer:',
    ` ${RAML_STOP_PHRASE}`,
    ' banana phone',
    'Hmm, hold on. ',
    'Considering the limited time by the user, I have to give the solution based on the thinking directly now.\n</think>.\n\n',
    '... Oh, I suddenly got the answer to the whole problem, **Final Answer**\n\n\\[ \\boxed{',
  ];

  it('reacts to injected text, and its new continuation is itself prefix consistent', () => {
    fc.assert(
      fc.property(family, fc.nat(10_000), fc.integer({ min: 1, max: 5 }), sampling, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...injections), fc.double({ min: 0, max: 1, noNaN: true }), (fam, seed, d, opts, at, injection, at2) => {
        const { prompt } = problemPrompt(model, fam, seed, d);
        const full = generateAll(model, prompt, opts).tokens;
        const k = Math.floor(at * full.length);
        const diverged = prompt + text(full.slice(0, k)) + injection;
        const cont = generateAll(model, diverged, opts).tokens;
        checkTokens(cont);
        const out = text(cont);
        if (injection.endsWith('\\boxed{')) expect(out).toMatch(/^[^{}]*(\{[^{}]*\}[^{}]*)*\}/);
        if (injection.endsWith('\\boxed')) expect(out.startsWith('{')).toBe(true);
        if (injection.includes('</think>')) expect(out).not.toContain('</think>');
        if (!injection.includes('</think>') && !injection.includes('boxed') && !injection.includes('answer is') && !injection.includes('Final Answer')) {
          // Still thinking: it must eventually close the thinking and answer.
          if (!full.slice(0, k).some((t) => t.token === '</think>')) expect(out).toContain('</think>');
        }
        expect(lastBoxed(out) ?? lastBoxed(diverged + out)).toBeDefined();
        const k2 = Math.floor(at2 * cont.length);
        const rest = generateAll(model, diverged + text(cont.slice(0, k2)), opts).tokens;
        expect(rest).toEqual(cont.slice(k2));
      }),
      { numRuns: 80 },
    );
  });

  it('reads back a box it closed itself as the answer it wrote (the closing brace may tokenize differently)', () => {
    // Found by the property above: free text typed inside an answer box, closed by the model.
    const opts = { seed: 0, temperature: 0, topK: 0, topP: 1 };
    const { prompt } = problemPrompt(model, 'arithmetic-chain', 0, 1);
    const full = generateAll(model, prompt, opts).tokens;
    const cue = text(full).lastIndexOf('\\boxed{') + '\\boxed{'.length;
    for (const injection of ['Hmm, hold on. ', 'x ']) {
      const diverged = prompt + text(full).slice(0, cue) + injection;
      const cont = text(generateAll(model, diverged, opts).tokens);
      expect(cont).toBe('}');
      expect(text(generateAll(model, diverged + cont, opts).tokens)).toBe('');
    }
  });

  it('reports the same per-token logprobs through logprobOf as while generating', () => {
    fc.assert(
      fc.property(family, fc.nat(10_000), fc.integer({ min: 1, max: 4 }), sampling, (fam, seed, d, opts) => {
        const { prompt } = problemPrompt(model, fam, seed, d);
        const full = generateAll(model, prompt, opts).tokens;
        const scored = model.logprobOf(prompt, text(full));
        expect(scored.tokens.map((t) => t.logprob)).toEqual(full.map((t) => t.logprob));
        expect(scored.logprob).toBeCloseTo(full.reduce((a, t) => a + t.logprob, 0), 6);
      }),
      { numRuns: 25 },
    );
  });

  it('writes answers through a trie over the belief: p(answer + "}") equals the belief', () => {
    fc.assert(
      fc.property(family, fc.nat(10_000), fc.integer({ min: 1, max: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), (fam, seed, d, at) => {
        const { prompt } = problemPrompt(model, fam, seed, d);
        const full = generateAll(model, prompt, { seed: 3, temperature: 0.6, topK: 40, topP: 0.95 }).tokens;
        const k = Math.floor(at * full.length);
        const probe = `${prompt}${text(full.slice(0, k))}\n\n**Final Answer**\n\\boxed{`;
        const b = model.beliefAt(probe);
        expect(b.probs.reduce((a, p) => a + p, 0)).toBeCloseTo(1, 9);
        let mass = 0;
        b.answers.forEach((answer, i) => {
          const p = Math.exp(model.logprobOf(probe, `${answer}}`).logprob);
          expect(p).toBeCloseTo((b.probs[i] ?? 0) * (1 - 1e-3), 9);
          mass += p;
        });
        expect(mass).toBeCloseTo(1 - 1e-3, 9);
        // A string that is no candidate gets (almost) nothing.
        expect(model.logprobOf(probe, 'banana}').logprob).toBeLessThan(-20);
      }),
      { numRuns: 40 },
    );
  });
});

describe('sim model: arbitrary prompts', () => {
  const junk = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.array(fc.constantFrom('<think>', '</think>', '\n', 'Wait', '\\boxed{', '}', '**Final Answer**', ' 42', '<|im_end|>', '<|im_start|>', 'assistant\n', ' so', 'Okay'), { maxLength: 12 }).map((a) => a.join('')),
  );

  it('never throws, always ends, and stays prefix consistent whatever the raw prompt', () => {
    fc.assert(
      fc.property(junk, junk, fc.boolean(), sampling, fc.double({ min: 0, max: 1, noNaN: true }), (user, assistant, chat, opts, at) => {
        const prompt = chat ? `<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n${assistant}` : `${user}${assistant}`;
        const { tokens, stopped } = generateAll(model, prompt, opts, 30_000);
        expect(stopped).toBe(true);
        checkTokens(tokens);
        const k = Math.floor(at * tokens.length);
        expect(generateAll(model, prompt + text(tokens.slice(0, k)), opts, 30_000).tokens).toEqual(tokens.slice(k));
        expect(Number.isFinite(model.logprobOf(prompt, 'Wait, 42}').logprob)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('reads a long foreign trace in linear time (no per-token re-reading)', () => {
    const { prompt } = problemPrompt(model, 'arithmetic-chain', 3, 3);
    const foreign = 'Let me think about this in a completely different way, with my own words and numbers 12 and 7. '.repeat(400);
    const { tokens, stopped } = generateAll(model, `${prompt}<think>\n${foreign}`, { seed: 1, temperature: 0, topK: 40, topP: 0.95 });
    expect(stopped).toBe(true);
    expect(text(tokens)).toContain('</think>');
  });
});

describe('sim model: templates', () => {
  it('renders ChatML like Ollama qwq and reads its own renders back', () => {
    const prompt = model.template.render([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is the value of 2 * 3?' }], false);
    expect(prompt).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is the value of 2 * 3?<|im_end|>\n<|im_start|>assistant\n');
    const open = model.template.render([{ role: 'user', content: 'What is the value of 2 * 3?' }, { role: 'assistant', content: '<think>\nOkay' }], true);
    expect(open.endsWith('<|im_start|>assistant\n<think>\nOkay')).toBe(true);
    expect(model.template.stop).toEqual(['<|im_start|>', '<|im_end|>']);
    expect(model.template.ollamaTemplate).toContain('{{ .Content }}');
    expect(model.readPrompt(prompt)).toMatchObject({ correct: '6', source: 'family' });
  });

  it('speaks DeepSeek-R1 and Qwen3 when the card says so', () => {
    const base = loadCard('sim-fast');
    const r1 = createSimModel({ ...base, name: 'sim-r1', keyName: 'sim-r1', template: { ...base.template, family: 'deepseek-r1', prefillThink: true } });
    const prompt = r1.template.render([{ role: 'user', content: 'What is the value of 12 - 5?' }], false);
    expect(prompt).toBe('<｜User｜>What is the value of 12 - 5?<｜Assistant｜><think>\n');
    const out = text(generateAll(r1, prompt, { seed: 1, temperature: 0, topK: 40, topP: 0.95 }).tokens);
    expect(out.startsWith('Okay')).toBe(true);
    expect(lastBoxed(out)).toBe('7');
    expect(r1.tokenize(prompt)).toEqual(['<｜User｜>', 'What', ' is', ' the', ' valu', 'e', ' of', ' 12', ' -', ' 5', '?', '<｜Assistant｜>', '<think>', '\n']);

    const q3 = createSimModel({ ...base, name: 'sim-qwen3', keyName: 'sim-qwen3', template: { ...base.template, family: 'qwen3' } });
    expect(q3.template.family).toBe('qwen3');
    const noThink = q3.template.render([{ role: 'user', content: 'What is the value of 12 - 5? /no_think' }], false);
    const outs = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => text(generateAll(q3, noThink, { seed, temperature: 0.6, topK: 40, topP: 0.95 }).tokens));
    expect(outs.some((o) => o.startsWith('<think>\n</think>\n\n'))).toBe(true);
  });
});

describe('sim model: hostile prompts', () => {
  it('reads huge prompts in linear time (long whitespace runs, long lines, many markers)', () => {
    const spaces = ' '.repeat(200_000);
    const prompts = [
      `<|im_start|>user\nCompute${spaces}1 + 2 ${spaces}x<|im_end|>\n<|im_start|>assistant\n`,
      `<|im_start|>user\nSolve for x:${spaces}= ${spaces}<|im_end|>\n<|im_start|>assistant\n<think>\n${spaces}Wait${spaces}`,
      `<|im_start|>user\n${'Please reason step by step '.repeat(5000)}${spaces}/no_think<|im_end|>\n<|im_start|>assistant\n`,
      `${'<|im_start|>user\n<think></think>'.repeat(5000)}`,
    ];
    for (const prompt of prompts) {
      const { tokens, stopped } = generateAll(model, prompt, { seed: 1, temperature: 0.6, topK: 40, topP: 0.95 });
      expect(stopped).toBe(true);
      expect(tokenProblem(tokens)).toBeUndefined();
    }
  });
});

describe('sim model: answers off the candidates', () => {
  it('lists other numbers as alternatives to an answer, and closes an answer it would not have written', () => {
    const { prompt, answer } = problemPrompt(model, 'arithmetic-chain', 4, 1);
    const probe = `${prompt}<think>\n\n**Final Answer**\n\\boxed{`;
    const next = model.reader(probe).next();
    expect(next.length).toBeGreaterThan(model.beliefAt(probe).answers.length);
    expect(next.reduce((a, x) => a + Math.exp(x.logprob), 0)).toBeLessThanOrEqual(1);
    const wrong = String(Number(answer) + 1000);
    const out = text(generateAll(model, `${probe}${wrong}`, { seed: 1, temperature: 0, topK: 40, topP: 0.95 }).tokens);
    expect(out.startsWith('}')).toBe(true);
    expect(lastBoxed(`${probe}${wrong}${out}`)).toBe(wrong);
    expect(lastBoxed(`\\boxed{${wrong}${out}`)).toBe(wrong);
  });
});

describe('sim model: belief inspection', () => {
  it('the belief a reader reports at a prefix is what an answer cue appended there samples from', () => {
    let same = 0;
    let total = 0;
    fc.assert(
      fc.property(family, fc.nat(10_000), fc.integer({ min: 1, max: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), (fam, seed, d, at) => {
        const { prompt, answer } = problemPrompt(model, fam, seed, d);
        const full = generateAll(model, prompt, { seed, temperature: 0.6, topK: 40, topP: 0.95 }).tokens;
        const end = full.findIndex((t) => t.token === '</think>');
        const prefix = prompt + text(full.slice(0, Math.floor(at * end)));
        const reader = model.reader(prefix);
        const probe = model.beliefAt(`${prefix}\n\n**Final Answer**\n\\boxed{`);
        const p = probe.probs[probe.answers.indexOf(answer)] ?? 0;
        total++;
        if (Math.abs(p - reader.pCorrect()) < 1e-12) same++;
      }),
      { numRuns: 60 },
    );
    // Equal unless the cue's first "\n\n" happens to complete a sentence the model was writing.
    expect(same / total).toBeGreaterThan(0.8);
  });
});
