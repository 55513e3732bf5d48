import type { Command } from 'commander';

/** A command module registers its command, options and action on the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every CLI command, one line each: its name, the one-line summary `thinkprobe --help` lists, and
 * how to load it. A command's module is imported only when that command runs (or its help is
 * asked for), so `thinkprobe --help` and `--version` start without loading the app.
 * Add a command here: `{ name, summary, load: async () => (await import('./x.ts')).registerX }`.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<RegisterCommand>;
}

export const commands: CommandEntry[] = [
  { name: 'run', summary: 'Run suites: every problem under every intervention, graded, checked, and reported.', load: async () => (await import('./run.ts')).registerRun },
  { name: 'report', summary: "Rebuild a run's HTML report (index.html) from its stored records.", load: async () => (await import('./report.ts')).registerReport },
  { name: 'compare', summary: 'Compare two runs on the same problems: paired differences, flips, and a side-by-side report.', load: async () => (await import('./compare.ts')).registerCompare },
  { name: 'grade', summary: 'Grade answers: is PRED equivalent to the reference GOLD? Prints one JSON line per pair.', load: async () => (await import('./grade.ts')).registerGrade },
  { name: 'estimate', summary: 'Estimate what running a suite will cost: requests, prompt and generated tokens, and wall time.', load: async () => (await import('./estimate.ts')).registerEstimate },
  { name: 'power', summary: 'What regression a release gate detects with 80% power, and how many problems and samples a given drop needs.', load: async () => (await import('./power.ts')).registerPower },
  { name: 'sim', summary: "Serve the simulated reasoning model behind Ollama's HTTP API and an OpenAI-compatible one (/v1/completions, /v1/models, /tokenize) on the same port (for tests, demos and benchmarks).", load: async () => (await import('./sim.ts')).registerSim },
];
