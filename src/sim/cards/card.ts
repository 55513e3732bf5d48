import type { TemplateSettings } from '../model/templates.ts';

/** Five numbers, one per difficulty level 1..5. */
export type ByDifficulty = [number, number, number, number, number];

/**
 * A simulated model's behaviour ("model card"). JSON, validated against card.schema.json.
 * Probabilities are in [0, 1]; belief quantities are logits.
 */
export interface ModelCard {
  name: string;
  description: string;
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
  };
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
}
