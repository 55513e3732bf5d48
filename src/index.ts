/**
 * thinkprobe's public API, for `.suite.ts` files and programs that drive runs themselves.
 * Suites usually need only `defineSuite` and, for TypeScript checks, `property` and `fc`.
 */
export { defineSuite, type Suite, type SuiteInput } from './suite/index.ts';
export { property, type PropertyTools, type PropertyOptions, type Predicate, type CheckResult, type ResultRow, type CustomCheck } from './checks/index.ts';
export { default as fc } from 'fast-check';
export { registerCheck, defineCheck, checkSchema, type CheckDefinition } from './checks/index.ts';

// Interventions and the primitives to write new ones, and the engine that runs them.
export * as interventions from './interventions/index.ts';
export { runPlan, RAML_SAMPLING, type RunPlanOptions, type RunOutcome, type Progress } from './engine/index.ts';

// Backends, templates and the store.
export type { Backend, Completion, CompletionRequest, ModelInfo } from './backends/backend.ts';
export { createOllamaBackend, type OllamaBackendOptions } from './backends/ollama.ts';
export { pickTemplate, chatmlQwq, qwen3, deepseekR1, customTemplate, type ChatTemplate } from './templates/index.ts';
export { openStore } from './store/sqlite-store.ts';

// Grading, confidence, metrics.
export { extractAnswer, gradeProblem, isEquivalent } from './grading/index.ts';
export { teacherForcedLhat, sampledConfidence, selfConfidence } from './confidence/index.ts';
export * as metrics from './metrics/index.ts';

// Whole runs, the simulator, reports.
export { runSuite, type RunSuiteOptions, type RunSuiteOutcome } from './runner/run-suite.ts';
export { startSimServer, type SimServer, type SimServerOptions } from './sim/server/index.ts';
export { buildHtmlReport } from './reports/html/build.ts';
export type { RunData } from './reports/run-data.ts';
export type { Problem } from './problems/problem.ts';
export type { Result, GradedResult, RunMeta } from './core/model.ts';
