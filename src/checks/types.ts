/** The results model moved to src/results/types.ts (golden files need it below the checks); kept so check files and their importers stay as they are. */
export * from '../results/types.ts';
