import { describe, expect, it } from 'vitest';
import { BackendUnreachableError, InputError } from '../core/errors.ts';
import type { Backend, Completion, CompletionRequest, ModelInfo } from './backend.ts';
import { createPoolBackend } from './pool.ts';

/** A toy host: answers after `delayMs`, records what it served and its peak concurrency. */
function toyHost(name: string, options: { delayMs?: number; digest?: string; down?: boolean } = {}) {
  const served: string[] = [];
  let active = 0;
  let peak = 0;
  const state = { down: options.down === true };
  const backend: Backend = {
    label: name,
    async describe(model: string): Promise<ModelInfo> {
      if (state.down) throw new BackendUnreachableError(`${name} does not answer`);
      return { name: model, digest: options.digest ?? 'd1', serverVersion: 'toy', family: '', templateText: '', contextLength: name.length * 1000 };
    },
    async complete(_model: string, request: CompletionRequest): Promise<Completion> {
      if (state.down) throw new BackendUnreachableError(`${name} refused the connection`);
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, options.delayMs ?? 2));
      active--;
      if (state.down) throw new BackendUnreachableError(`${name} reset the connection`);
      served.push(request.prompt);
      const tokens = Array.from({ length: 10 }, () => ({ text: 'x', logprob: -0.1, top: [] }));
      return { text: 'x'.repeat(10), tokens, doneReason: 'length', promptTokens: 5, decodedTokens: 10, wallMs: options.delayMs ?? 2 };
    },
  };
  return { backend, served, state, peak: () => peak };
}

const prompt = (q: string, tail = '') => `<|im_start|>user\n${q}<|im_end|>\n<|im_start|>assistant\n<think>\n${tail}`;
const request = (p: string, seed: number): CompletionRequest => ({ prompt: p, maxTokens: 10, stop: [], seed, sampling: { temperature: 0.6, topP: 0.95, topK: 40 }, topLogprobs: 0 });

describe('host pool', () => {
  it('keeps every request of a tree on one host and spreads new trees over the hosts', async () => {
    const a = toyHost('a');
    const b = toyHost('b');
    const pool = createPoolBackend({ hosts: [{ url: 'a', slots: 2, backend: a.backend }, { url: 'b', slots: 2, backend: b.backend }] });
    await pool.describe('m');
    await Promise.all([0, 1, 2, 3].map((i) => pool.complete('m', request(prompt(`q${i}`), 1))));
    for (let i = 0; i < 4; i++) await pool.complete('m', request(prompt(`q${i}`, 'more thinking'), 1));
    expect(a.served.length).toBe(4);
    expect(b.served.length).toBe(4);
    for (const host of [a, b]) {
      const questions = new Set(host.served.map((p) => /user\n(q\d)/.exec(p)?.[1]));
      expect(questions.size).toBe(2);
    }
  });

  it('sends new trees to a host with a free slot, and more of them to the host that decodes faster', async () => {
    const fast = toyHost('fast', { delayMs: 1 });
    const slow = toyHost('slow', { delayMs: 12 });
    const pool = createPoolBackend({ hosts: [{ url: 'slow', slots: 1, backend: slow.backend }, { url: 'fast', slots: 1, backend: fast.backend }] });
    // One tree at a time, like one engine worker: each new tree goes where the measured rate is best.
    for (let i = 0; i < 10; i++) await pool.complete('m', request(prompt(`q${i}`), 1));
    expect(fast.served.length).toBeGreaterThan(slow.served.length);
    // Two trees at once: the second goes to the other host's free slot, however fast the busy one is.
    const before = slow.served.length;
    await Promise.all([pool.complete('m', request(prompt('r1'), 1)), pool.complete('m', request(prompt('r2'), 1))]);
    expect(slow.served.length).toBe(before + 1);
  });

  it('never sends a host more requests at once than its slots', async () => {
    const a = toyHost('a', { delayMs: 5 });
    const pool = createPoolBackend({ hosts: [{ url: 'a', slots: 3, backend: a.backend }] });
    await Promise.all(Array.from({ length: 12 }, (_, i) => pool.complete('m', request(prompt(`q${i}`), 1))));
    expect(a.peak()).toBe(3);
  });

  it('moves the trees of a host that dies to the others and sends the failed requests again', async () => {
    const a = toyHost('a', { delayMs: 5 });
    const b = toyHost('b', { delayMs: 5 });
    const warnings: string[] = [];
    const pool = createPoolBackend({ hosts: [{ url: 'a', slots: 2, backend: a.backend }, { url: 'b', slots: 2, backend: b.backend }], onWarn: (l) => warnings.push(l) });
    await Promise.all([0, 1, 2, 3].map((i) => pool.complete('m', request(prompt(`q${i}`), 1))));
    b.state.down = true;
    const answers = await Promise.all([0, 1, 2, 3].map((i) => pool.complete('m', request(prompt(`q${i}`, 'step'), 1))));
    expect(answers).toHaveLength(4);
    expect(a.served.filter((p) => p.endsWith('step'))).toHaveLength(4);
    expect(warnings).toEqual([expect.stringMatching(/^host b is down \(b refused the connection\); its trees move to the other 1$/)]);
    expect(pool.hosts().map((h) => h.down)).toEqual([false, true]);
    a.state.down = true;
    await expect(pool.complete('m', request(prompt('q9'), 1))).rejects.toBeInstanceOf(BackendUnreachableError);
  });

  it('leaves out a host that fails preflight with one warning, and stops only when none answers', async () => {
    const warnings: string[] = [];
    const a = toyHost('aaa');
    const dead = toyHost('b', { down: true });
    const pool = createPoolBackend({ hosts: [{ url: 'b', slots: 1, backend: dead.backend }, { url: 'aaa', slots: 1, backend: a.backend }], onWarn: (l) => warnings.push(l) });
    expect((await pool.describe('m')).contextLength).toBe(3000);
    expect(warnings).toEqual(['host b is not usable, continuing without it: b does not answer']);
    await pool.complete('m', request(prompt('q'), 1));
    expect(a.served).toHaveLength(1);
    const none = createPoolBackend({ hosts: [{ url: 'b', slots: 1, backend: toyHost('b', { down: true }).backend }] });
    await expect(none.describe('m')).rejects.toThrow('b does not answer');
  });

  it('refuses hosts that serve different models under one name', async () => {
    const pool = createPoolBackend({ hosts: [{ url: 'a', slots: 1, backend: toyHost('a').backend }, { url: 'b', slots: 1, backend: toyHost('b', { digest: 'd2' }).backend }] });
    await expect(pool.describe('m')).rejects.toBeInstanceOf(InputError);
    await expect(pool.describe('m')).rejects.toThrow(/expected the same model on every host: a serves 'm' as d1, b as d2/);
  });
});
