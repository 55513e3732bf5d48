/** Confidence along a trace: teacher-forced L-hat, sampled and self-confidence, and where to probe. */
export { RAML_SUFFIX, DEER_TRIAL_SUFFIX, DYNASOR_PROBE_SUFFIX } from './suffixes.ts';
export {
  teacherForcedLhat,
  UNTRUNCATED_SAMPLING,
  type TeacherForcedOptions,
  type TeacherForcedResult,
  type TeacherForcedStop,
  type ScoredToken,
} from './teacher-forced.ts';
export { continuations, outsideTopBound, type Candidate } from './match.ts';
export {
  sampledConfidence,
  RAML_SAMPLING,
  type Grade,
  type SampledAnswer,
  type SampledConfidenceOptions,
  type SampledConfidenceResult,
} from './sampled.ts';
export { selfConfidence, type SelfConfidenceOptions, type SelfConfidenceResult } from './self-confidence.ts';
export { answerAfterSuffix, type ElicitedAnswer } from './answer.ts';
export {
  REFLECTION_WORDS,
  findReflections,
  everyNTokens,
  atFractions,
  atReflections,
  everyToken,
  probePositions,
  prefixAt,
  type ProbeSchedule,
  type ReflectionHit,
  type ReflectionOptions,
  type EveryOptions,
} from './positions.ts';
export { lhatAlong, type LhatAlongOptions, type CurvePoint } from './curve.ts';
