/** The `Problem` is part of the core model (src/core/model.ts); this stage loads and selects problems. */
export type { Problem } from '../core/model.ts';
