import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.ts';
import { decideFault, parseFaults } from './faults.ts';
import { parseLatency } from './latency.ts';

describe('--faults', () => {
  it('parses the documented spec', () => {
    const spec = parseFaults('http500=0.1,http503=0.05,cut=0.05,errorline=0.02,slow=0.01,seed=7');
    expect(spec).toMatchObject({ seed: 7, rates: { http500: 0.1, http503: 0.05, cut: 0.05, errorline: 0.02, slow: 0.01, nodone: 0 } });
  });

  it('names the bad entry', () => {
    expect(() => parseFaults('http500=0.1,boom=0.2')).toThrow(InputError);
    expect(() => parseFaults('http500=0.1,boom=0.2')).toThrow(/entry "boom=0.2"/);
    expect(() => parseFaults('cut=2')).toThrow(/between 0 and 1/);
    expect(() => parseFaults('cut')).toThrow(/entry "cut"/);
    expect(() => parseFaults('cut=0.7,nodone=0.7')).toThrow(/more than 1/);
  });

  it('decides the same faults for the same spec and roughly at the given rates', () => {
    const spec = parseFaults('http500=0.2,cut=0.1,seed=3');
    const a = Array.from({ length: 2000 }, (_, i) => decideFault(spec, i + 1)?.kind ?? 'none');
    const b = Array.from({ length: 2000 }, (_, i) => decideFault(spec, i + 1)?.kind ?? 'none');
    expect(a).toEqual(b);
    const count = (kind: string): number => a.filter((k) => k === kind).length;
    expect(count('http500')).toBeGreaterThan(320);
    expect(count('http500')).toBeLessThan(480);
    expect(count('cut')).toBeGreaterThan(140);
    expect(count('cut')).toBeLessThan(260);
    const other = Array.from({ length: 2000 }, (_, i) => decideFault(parseFaults('http500=0.2,cut=0.1,seed=4'), i + 1)?.kind ?? 'none');
    expect(other).not.toEqual(a);
  });
});

describe('--latency', () => {
  it('parses units', () => {
    expect(parseLatency('prefill=0.05ms,decode=2ms')).toEqual({ prefillMsPerToken: 0.05, decodeMsPerToken: 2 });
    expect(parseLatency('decode=500us')).toEqual({ prefillMsPerToken: 0, decodeMsPerToken: 0.5 });
    expect(parseLatency(undefined)).toBeUndefined();
  });

  it('names the bad entry', () => {
    expect(() => parseLatency('prefill=fast')).toThrow(/entry "prefill=fast"/);
    expect(() => parseLatency('decode=2')).toThrow(InputError);
  });
});
