import { interventionFromSpec } from '../interventions/index.ts';
import type { InterventionSpec } from './schema/interventions.ts';

/** The intervention's parameters as the registry takes them (the suite-only `label` removed). */
export function interventionParams(intervention: InterventionSpec): Record<string, unknown> {
  const { label: _label, ...params } = intervention;
  return params;
}

/** What the engine calls the intervention in its records: the registry's describe(), e.g. `budget(512)`. */
export function engineLabel(intervention: InterventionSpec): string {
  return interventionFromSpec(interventionParams(intervention)).describe();
}

/** The name an intervention goes by in results and checks: its `label`, else the engine's label. */
export function interventionLabel(intervention: InterventionSpec): string {
  return intervention.label ?? engineLabel(intervention);
}
