import { InputError } from '../core/errors.ts';
import { mean } from './mean.ts';

/**
 * Sampling metrics over n samples per problem: pass@k, maj@k, avg@k.
 * Input is the grader's output, one list of graded samples per problem, in sampling order.
 */

export interface GradedSample {
  /** The extracted final answer, or null when the sample has none (thinking never closed, nothing boxed). */
  answer: string | null;
  /** Whether the grader judged the answer equivalent to the reference. */
  correct: boolean;
  /**
   * Optional canonical form used to group wrong answers for voting (e.g. the grader's normalized
   * answer, so `0.5` and `1/2` vote together). Defaults to the answer with whitespace collapsed.
   */
  key?: string;
}

function checkK(k: number, where: string): void {
  if (!Number.isInteger(k) || k < 1) throw new InputError(where, `k must be a positive integer, got ${k}`);
}

/**
 * Unbiased pass@k estimator (Chen et al. 2021, "Evaluating Large Language Models Trained on
 * Code", eq. 1): 1 - C(n-c, k) / C(n, k), the probability that at least one of k samples drawn
 * without replacement from the n generated is correct. Computed as the numerically stable
 * product 1 - prod_{i=n-c+1..n} (1 - k/i) from the paper's reference code, so large n does not
 * overflow.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || n < 1) throw new InputError('passAtK', `n must be a positive integer, got ${n}`);
  if (!Number.isInteger(c) || c < 0 || c > n) throw new InputError('passAtK', `c must be an integer in 0..${n}, got ${c}`);
  checkK(k, 'passAtK');
  if (k > n) throw new InputError('passAtK', `k must be at most n = ${n} samples, got ${k}`);
  if (n - c < k) return 1;
  let allWrong = 1;
  for (let i = n - c + 1; i <= n; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}

function checkProblems(problems: ReadonlyArray<ReadonlyArray<unknown>>, k: number | undefined, where: string): void {
  if (k !== undefined) checkK(k, where);
  problems.forEach((samples, index) => {
    if (samples.length === 0) throw new InputError(`${where}: problem ${index}`, 'at least one sample');
    if (k !== undefined && samples.length < k) {
      throw new InputError(`${where}: problem ${index}`, `at least k = ${k} samples, got ${samples.length}`);
    }
  });
}

/** pass@k averaged over problems, each problem estimated from all of its samples. NaN for no problems. */
export function meanPassAtK(problems: ReadonlyArray<ReadonlyArray<{ correct: boolean }>>, k: number): number {
  checkProblems(problems, k, 'pass@k');
  return mean(problems.map((samples) => passAtK(samples.length, samples.filter((s) => s.correct).length, k)));
}

/**
 * avg@k: the share of correct answers among the first k samples (all samples when k is omitted),
 * averaged over problems; the expected accuracy of a single sample. NaN for no problems.
 */
export function averageAtK(problems: ReadonlyArray<ReadonlyArray<{ correct: boolean }>>, k?: number): number {
  checkProblems(problems, k, 'avg@k');
  return mean(
    problems.map((samples) => {
      const used = samples.slice(0, k ?? samples.length);
      return used.filter((s) => s.correct).length / used.length;
    }),
  );
}

function voteKey(sample: GradedSample): string {
  return sample.key ?? (sample.answer ?? '').trim().replace(/\s+/g, ' ');
}

/**
 * Majority vote over the first k samples of one problem (all when k is omitted). Returns the
 * credit in [0, 1]: 1 when the most frequent answer is correct, 0 when it is wrong, and for a tie
 * between t answers of which m are correct, m/t (the expected score of a uniformly random
 * tie-break, so the result does not depend on sample order). All correct samples vote for one
 * answer, the reference: they are each equivalent to it. Samples without an answer do not vote;
 * no votes at all scores 0.
 */
export function majorityVote(samples: ReadonlyArray<GradedSample>, k?: number): number {
  if (k !== undefined) checkK(k, 'maj@k');
  const used = samples.slice(0, k ?? samples.length);
  const votes = new Map<string, { count: number; correct: boolean }>();
  for (const sample of used) {
    if (sample.answer === null) continue;
    // The reference's class gets a key no answer string can produce.
    const key = sample.correct ? '\u0000reference' : `\u0001${voteKey(sample)}`;
    const entry = votes.get(key) ?? { count: 0, correct: sample.correct };
    entry.count += 1;
    votes.set(key, entry);
  }
  let best = 0;
  for (const entry of votes.values()) best = Math.max(best, entry.count);
  if (best === 0) return 0;
  const leaders = [...votes.values()].filter((entry) => entry.count === best);
  return leaders.filter((entry) => entry.correct).length / leaders.length;
}

/** maj@k averaged over problems (see majorityVote). NaN for no problems. */
export function majorityAtK(problems: ReadonlyArray<ReadonlyArray<GradedSample>>, k?: number): number {
  checkProblems(problems, k, 'maj@k');
  return mean(problems.map((samples) => majorityVote(samples, k)));
}
