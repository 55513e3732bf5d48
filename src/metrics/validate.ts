import { InputError } from '../core/errors.ts';

/** Internal: confidence levels must lie strictly between 0 and 1. Not re-exported from index.ts. */
export function checkConfidence(confidence: number, where: string): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new InputError(where, `confidence must be strictly between 0 and 1, got ${confidence}`);
  }
}
