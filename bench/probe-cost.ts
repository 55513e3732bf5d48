import { OllamaBackend } from '../src/backends/ollama.ts';
import { families, generateProblem } from '../src/problems/families/index.ts';
import { startSimServer, type SimServer } from '../src/sim/server/index.ts';
import { chatmlQwq } from '../src/templates/index.ts';
import { atFractions, prefixAt } from '../src/confidence/positions.ts';
import { teacherForcedLhat } from '../src/confidence/teacher-forced.ts';

/**
 * What a teacher-forced probe costs in model work, measured on the simulator (its /sim/stats
 * counters): requests, new prefill tokens (what the KV cache did not hold) and decoded tokens per
 * probe, with and without tokenization verification. For `npm run bench:grade` to print.
 * Kept out of index.ts so that using the confidence stage does not load the simulator.
 */

export interface ProbeCost {
  probes: number;
  /** Mean reference tokens per probe (complete probes). */
  referenceTokensPerProbe: number;
  /** Default mode (verifyTokenization 'auto'): one request per reference token, plus one to count a multi-token reference. */
  requestsPerProbe: number;
  /**
   * New prefill tokens per probe beyond catching up with the trunk: the suffix, the reference
   * steps, and what the cache could not reuse. (Catching up from the previous probe's position to
   * this one is trunk work any probe at that position needs; it is excluded.)
   */
  newPrefillPerProbe: number;
  decodedPerProbe: number;
  /** verifyTokenization: true, always one request more. */
  verifiedRequestsPerProbe: number;
  /** verifyTokenization: false: exactly one request per reference token. */
  unverifiedRequestsPerProbe: number;
  /** Share of probes that ended in a flagged bound (reference token outside the top 20). */
  boundedShare: number;
}

export interface ProbeCostOptions {
  /** Problems (one trace each). Default 9. */
  problems?: number;
  /** Probes per trace, at evenly spaced fractions. Default 8. */
  probesPerTrace?: number;
  /** Simulator card. Default sim-qwq. */
  model?: string;
}

type Mode = 'auto' | true | false;

export async function measureProbeCost(options: ProbeCostOptions = {}): Promise<ProbeCost> {
  const model = options.model ?? 'sim-qwq';
  const problemCount = options.problems ?? 9;
  const perTrace = options.probesPerTrace ?? 8;
  const server: SimServer = await startSimServer({ port: 0 });
  try {
    const backend = new OllamaBackend({ host: server.url, numCtx: 16384 });
    const template = chatmlQwq();
    const fractions = Array.from({ length: perTrace }, (_, i) => (i + 1) / perTrace);
    const modes: Mode[] = ['auto', true, false];
    const totals = new Map<Mode, { requests: number; prefill: number; decoded: number }>(modes.map((m) => [m, { requests: 0, prefill: 0, decoded: 0 }]));
    let probes = 0;
    let bounded = 0;
    let referenceTokens = 0;
    let complete = 0;
    for (let i = 0; i < problemCount; i++) {
      const problem = generateProblem(families[i % families.length]!, 500 + i, 1 + (i % 5));
      const prompt = template.render({ question: problem.question });
      const trace = await backend.complete(model, {
        prompt,
        maxTokens: 8000,
        stop: [template.thinkClose],
        seed: i,
        sampling: { temperature: 0.6, topP: 0.95, topK: 40 },
        topLogprobs: 0,
      });
      const tokens = trace.tokens.map((t) => t.text);
      for (const mode of modes) {
        const bucket = totals.get(mode)!;
        let previous: number | null = null;
        for (const k of atFractions(tokens.length, fractions)) {
          const before = server.stats();
          const result = await teacherForcedLhat({ backend, model, prefix: prefixAt(prompt, tokens, k), reference: problem.answer, verifyTokenization: mode });
          const after = server.stats();
          bucket.requests += after.requests - before.requests;
          // The slot holds the trunk (or a later probe of it) before a mode's first probe: no catch-up.
          bucket.prefill += after.prefill_new_tokens - before.prefill_new_tokens - (previous === null ? 0 : k - previous);
          bucket.decoded += after.decoded_tokens - before.decoded_tokens;
          previous = k;
          if (mode === 'auto') {
            probes++;
            if (result.bounded) bounded++;
            else {
              complete++;
              referenceTokens += result.tokens.length;
            }
          }
        }
      }
    }
    const per = (mode: Mode, key: 'requests' | 'prefill' | 'decoded'): number => totals.get(mode)![key] / probes;
    return {
      probes,
      referenceTokensPerProbe: complete === 0 ? 0 : referenceTokens / complete,
      requestsPerProbe: per('auto', 'requests'),
      newPrefillPerProbe: per('auto', 'prefill'),
      decodedPerProbe: per('auto', 'decoded'),
      verifiedRequestsPerProbe: per(true, 'requests'),
      unverifiedRequestsPerProbe: per(false, 'requests'),
      boundedShare: bounded / probes,
    };
  } finally {
    await server.close();
  }
}
