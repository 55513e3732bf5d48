/** The Intervention interface lives in src/plan (the API interventions program against); the engine runs it. */
export type { Intervention, InterventionOutput, Injection, Params, JsonValue } from '../plan/intervention.ts';
