import type { InterventionContext } from '../engine/context.ts';
import type { Intervention, InterventionOutput } from '../engine/intervention.ts';

/** The model's own trace, untouched (capped only by the run's maximum thinking length). */
export async function baselineOutput(ctx: InterventionContext): Promise<InterventionOutput> {
  const f = await ctx.generate(ctx.trunk);
  return f.capped ? { trace: f.trace, capFired: true, cap: f.capAt ?? 0 } : { trace: f.trace, capFired: false };
}

export function baseline(): Intervention {
  return {
    type: 'baseline',
    params: { type: 'baseline' },
    describe: () => 'baseline',
    run: baselineOutput,
  };
}
