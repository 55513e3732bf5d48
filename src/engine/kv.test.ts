import { describe, expect, it } from 'vitest';
import { KvSlotModel } from './kv.ts';

const t = (text: string) => ({ text, logprob: 0, top: [] });

describe('KV slot model', () => {
  it('charges the whole prompt first, then only what is new', () => {
    const kv = new KvSlotModel();
    expect(kv.charge('PROMPT', 10, [t('a'), t('b'), t('c')])).toBe(10);
    // Continuing from its own prefix: prompt + generated; the last generated token is evaluated anew.
    expect(kv.charge('PROMPTabc', 13, [t('d')])).toBe(1);
    // A branch at k=1 with a suffix: shares PROMPTa (11 tokens).
    expect(kv.charge('PROMPTabcdSUFFIX', 16, [])).toBe(2);
  });

  it('counts a prefix inside the old prompt proportionally', () => {
    const kv = new KvSlotModel();
    kv.charge('0123456789', 10, []);
    expect(kv.charge('01234xxxxx', 10, [])).toBe(5);
    expect(kv.charge('zzz', 3, [])).toBe(3);
  });
});
