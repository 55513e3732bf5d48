/** Golden baselines: `golden/<suite>/<model>.json`, read/write and comparison. */
export * from './golden.ts';
export * from './schema.ts';
