import { describe, expect, it } from 'vitest';
import { measureProbeCost } from '../../bench/probe-cost.ts';

describe('measureProbeCost (for bench:grade)', () => {
  it('counts one request per reference token, plus verification only where the mode asks for it', async () => {
    const cost = await measureProbeCost({ problems: 3, probesPerTrace: 4 });
    expect(cost.probes).toBe(12);
    expect(cost.boundedShare).toBe(0); // gold answers along the model's own traces stay in its top 20
    expect(cost.unverifiedRequestsPerProbe).toBeCloseTo(cost.referenceTokensPerProbe, 12);
    expect(cost.verifiedRequestsPerProbe).toBeCloseTo(cost.referenceTokensPerProbe + 1, 12);
    expect(cost.requestsPerProbe).toBeGreaterThanOrEqual(cost.unverifiedRequestsPerProbe);
    expect(cost.requestsPerProbe).toBeLessThanOrEqual(cost.verifiedRequestsPerProbe);
    // One decoded token per request; the prefill beyond the trunk is the suffix plus the reference steps.
    expect(cost.decodedPerProbe).toBeCloseTo(cost.requestsPerProbe, 12);
    expect(cost.newPrefillPerProbe).toBeGreaterThan(0);
    expect(cost.newPrefillPerProbe).toBeLessThan(30);
  });
});
