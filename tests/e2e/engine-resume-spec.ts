/** The study the resume tests interrupt and rerun. */
import { toyProblems, type ToyRun } from './engine-helpers.ts';

export const RESUME_RUN: ToyRun = {
  specs: [
    { type: 'baseline' },
    { type: 'noThinking' },
    { type: 'budget', tokens: 40 },
    { type: 'budget', tokens: 90 },
    { type: 'extend', times: 2 },
    { type: 'probes', every: 30 },
    { type: 'earlyExit', method: 'deer', threshold: 0.9 },
    { type: 'suppressReflection' },
  ],
  problems: toyProblems(6),
  samples: 2,
  sampling: { temperature: 0.6, topP: 0.95, topK: 40 },
  concurrency: 2,
  runId: 'resume',
};
