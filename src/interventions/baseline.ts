import { Type } from '@sinclair/typebox';
import type { InterventionContext } from '../plan/tree-api.ts';
import type { Intervention, InterventionOutput } from '../plan/intervention.ts';

export const type = 'baseline';
export const schema = Type.Object({}, { additionalProperties: false });

export function describe(): string {
  return 'baseline';
}

/** The model's own trace, untouched (capped only by the run's maximum thinking length). */
export async function baselineOutput(ctx: InterventionContext): Promise<InterventionOutput> {
  const f = await ctx.generate(ctx.trunk);
  return f.capped ? { trace: f.trace, capFired: true, cap: f.capAt ?? 0 } : { trace: f.trace, capFired: false };
}

export function build(): Intervention {
  return { type, params: { type }, describe, run: baselineOutput };
}

export const baseline = build;
