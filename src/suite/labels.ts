import type { Intervention } from './schema/interventions.ts';

/** Label characters: no whitespace or slashes (labels become column names and file-name parts). */
function clean(text: string): string {
  return text.trim().replace(/[\s/]+/g, '_');
}

/** The name an intervention goes by in results and checks: its `label`, else derived from its parameters. */
export function interventionLabel(intervention: Intervention): string {
  if (intervention.label !== undefined) return intervention.label;
  switch (intervention.type) {
    case 'budget':
      return `budget-${intervention.tokens}`;
    case 'softBudget':
      return `softBudget-${intervention.tokens}`;
    case 'extend':
      return intervention.word === 'Wait' ? `extend-x${intervention.times}` : `extend-${clean(intervention.word)}-x${intervention.times}`;
    case 'injectReflection': {
      const at =
        intervention.atToken !== undefined
          ? `${intervention.atToken}`
          : intervention.atFraction !== undefined
            ? `${intervention.atFraction}f`
            : 'paragraphs';
      return `inject-${clean(intervention.word)}@${at}`;
    }
    case 'earlyExit':
      return `earlyExit-${intervention.method}`;
    default:
      return intervention.type;
  }
}
