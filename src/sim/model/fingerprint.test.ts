import { describe, expect, it } from 'vitest';
import { behaviourFingerprint, FINGERPRINTED, sourcesOf } from './fingerprint.ts';

describe('behaviourFingerprint', () => {
  it('hashes the behaviour model and the problem families, not their tests', () => {
    const names = FINGERPRINTED.flatMap(sourcesOf).map((source) => source.split('\n', 1)[0]);
    expect(names).toContain('mind.ts');
    expect(names).toContain('tokenizer.ts');
    expect(names).toContain('arithmetic.ts');
    expect(names.filter((n) => n?.endsWith('.test.ts'))).toEqual([]);
    expect(behaviourFingerprint()).toMatch(/^[0-9a-f]{64}$/);
  });
});
