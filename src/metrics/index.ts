/** Metrics: statistics over graded runs. Pure functions; see each module for the method and its reference. */
export * from './distributions.ts';
export * from '../core/random.ts';
export * from './proportions.ts';
export * from './passAtK.ts';
export * from './paired.ts';
export * from './correlation.ts';
export * from './curves.ts';
export * from './reflection.ts';
export * from './pareto.ts';
export * from './tokens.ts';
export * from './clustered.ts';
export * from './power.ts';
export * from './format.ts';
export * from './stratified.ts';
