import type { ExitRecord, InjectionRecord, SubstitutionRecord } from '../core/model.ts';
import type { Trace } from '../trace/trace.ts';
import type { InterventionContext, ProbeOutcome } from './tree-api.ts';

/** JSON-able parameters: what a suite writes, e.g. `{ "type": "budget", "tokens": 512 }`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Params = { [key: string]: JsonValue };

/** Text an intervention put into the thinking: the result's record of it (core model). */
export type Injection = InjectionRecord;

export interface InterventionOutput {
  trace: Trace;
  /** A cap (budget or the run's thinking limit) closed the thinking. */
  capFired: boolean;
  /** Thinking tokens at the cap, when it fired. */
  cap?: number;
  /** Early exit: where and why. */
  exit?: ExitRecord;
  probes?: ProbeOutcome[];
  injections?: Injection[];
  /** Emulated bans: where a banned word was replaced by the best allowed alternative. */
  substitutions?: SubstitutionRecord[];
  notes?: string[];
}

/**
 * An intervention: a small parameterized value that compiles to operations on a trace tree
 * ("solver = state -> state"). Interventions that change the prompt (`userSuffix`) get their own
 * trunk; all others branch off the shared trunk of their problem x sample.
 */
export interface Intervention {
  readonly type: string;
  /** JSON-able parameters including `type`: with the type, what identifies it (plan, store keys, resume). */
  readonly params: Params;
  /** Short label for reports and row keys, e.g. `budget(512)`. */
  describe(): string;
  /** Text appended to the user turn (prompt variants such as `/no_think`). */
  readonly userSuffix?: string;
  run(ctx: InterventionContext): Promise<InterventionOutput>;
}
