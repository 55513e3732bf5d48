/**
 * The template a card picks. The simulator's model (sim/model/templates.ts) declares the same two
 * types: the cards sit below the model, and editing the model's files changes its content digest
 * (sim/model/fingerprint.ts), which golden files record; structural typing keeps them in step.
 */
/** Template families the simulator can speak; the card picks one. */
export type TemplateFamily = 'qwen2' | 'qwen3' | 'deepseek-r1';

export interface TemplateSettings {
  family: TemplateFamily;
  thinkOpen: string;
  thinkClose: string;
  /** Whether the rendered generation prompt already ends with `<think>\n` (Ollama's qwq template does not). */
  prefillThink: boolean;
}

/**
 * One number per difficulty level 1..5 (MATH's levels; GSM8K reads as 2), and optionally a sixth
 * for competition problems (AIME), which are harder than MATH level 5. Five numbers: level 6 uses the fifth.
 */
export type ByDifficulty = [number, number, number, number, number] | [number, number, number, number, number, number];

/** Reflection openers the model can write after a step. */
export type ReflectionWord = 'Wait' | 'Hmm' | 'Alternatively' | 'Let me check' | 'But';

/**
 * A simulated model's behaviour ("model card"). JSON, validated against card.schema.json.
 * Probabilities are in [0, 1]; belief quantities are logits.
 */
export interface ModelCard {
  name: string;
  description: string;
  /** Name that keys the problem-level randomness (default: `name`): a renamed copy of a card writes the same traces. */
  keyName?: string;
  template: TemplateSettings;
  contextLength: number;
  errors: {
    /** Chance that a step is a trap for this model (problem-keyed): the model tends to slip there. */
    trapRate: ByDifficulty;
    /** Probability of the slipped value at a trap step. */
    trapSlip: number;
    /** Probability of a slipped value at an ordinary step. */
    baseSlip: number;
  };
  reflection: {
    /** Chance that the model is inclined to reflect ("Wait", "Hmm") after a step. */
    rate: ByDifficulty;
    /** Added inclination to reflect right after a slip. */
    afterError: number;
    /** Chance that re-checking a slipped step finds the right value. */
    catchRate: number;
    /** Chance that re-checking a correct step "finds" a wrong value. */
    breakRate: number;
    /** Inclination to write "Wait" instead of closing the thinking at its natural end. */
    endVerifyRate: number;
    /** Relative weights of the reflection openers (default: Wait 0.55, Hmm 0.3, Alternatively 0.15). */
    words?: Partial<Record<ReflectionWord, number>>;
    /** Sentences a re-check writes before it re-computes, as a share of its step's elaboration (default 0: straight to the re-computation). */
    recheckShare?: number;
    /** At most this many verification passes at the end. */
    maxEndVerifications: number;
  };
  belief: {
    /** Logit advantage of the right answer before any thinking, by difficulty. */
    prior: ByDifficulty;
    /** Spread (standard deviation) of the problem-keyed prior logits. */
    priorNoise: number;
    /** Logit of the answer the trace points to once every step is done. */
    strength: number;
    /** Exponent of progress: larger = belief firms up later in the trace. */
    growth: number;
    /** Fraction of the strength lost while a reflection is open. */
    doubt: number;
    /** Logit added per successful re-check. */
    verifyBonus: number;
  };
  length: {
    /** Extra reasoning sentences per step, by difficulty. */
    elaboration: ByDifficulty;
    /** Multiplier on elaboration. */
    scale: number;
    /** Steps of a problem known only by its answer key, by difficulty (default 3, 4, 6, 8, 10; level 6: 12). */
    steps?: ByDifficulty;
    /** Share of elaboration sentences that are hedges ("But ...", "Let me check ...") with no belief change behind them (default 0). */
    hedges?: number;
    /** Sentences per step of the worked summary written after the thinking (default 0: a one-line answer). */
    summary?: number;
  };
  /**
   * Problem-keyed inclinations (to reflect, to catch or break a value, to verify at the end) are
   * bimodal: a `rate` share of steps gets `high`, the rest `low` (default 0.8 and 0.04).
   */
  inclination?: { low: number; high: number };
  /** The difficulty level the card gives items of datasets that have no level of their own (default: GSM8K 2, AIME 5). */
  levels?: { gsm8k?: number; aime?: number };
  earlyTermination: {
    /** 0..1: how much of the belief's sharpening is lost when the answer is forced before the thinking ends. */
    penalty: number;
  };
  stopInstruction: {
    /** Chance of obeying a "/no_think" or "answer without deliberation" instruction. */
    compliance: number;
  };
  sampling: {
    /** Probability mass of filler words ("just", "now") at word boundaries of free text. */
    fillerMass: number;
  };
  /**
   * A regression of known size (a release gate's test double): at a `drop / calibratedAccuracy`
   * share of answer cues, keyed by the problem and the text before the cue, the model blunders and
   * moves the right answer's mass to its other candidates. Every intervention's accuracy a becomes
   * a * (1 - drop / calibratedAccuracy), so a suite whose mean accuracy (over its interventions,
   * without the regression) is `calibratedAccuracy` loses exactly `drop` in expectation.
   */
  regression?: {
    /** Accuracy (a fraction) the suite it was calibrated on loses, e.g. 0.05 for 5 points. */
    drop: number;
    /** The mean accuracy of that suite without the regression. */
    calibratedAccuracy: number;
  };
}

/** The value for a difficulty level (1..6; out-of-range levels clamp; level 6 falls back to level 5's value). */
export function byLevel(values: readonly number[], difficulty: number): number {
  const i = Math.min(values.length - 1, Math.max(0, Math.round(difficulty) - 1));
  return values[i] ?? 0;
}
