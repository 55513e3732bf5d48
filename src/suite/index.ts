/** The suite format: schema, types, defineSuite, loading and validation. */
export { defineSuite, validateSuite, labeledInterventions, type Suite, type SuiteInput } from './suite.ts';
export { loadSuite, suiteFormat, type LoadedSuite } from './load.ts';
export { interventionLabel } from './labels.ts';
export { ValidationError, type ValidationProblem, type LineLocator } from '../core/validate.ts';
export { SuiteSchema, DEFAULT_MODEL, type SuiteData, type SuiteDataInput } from './schema/suite.ts';
export { InterventionSchema, type InterventionSpec, type InterventionInput, type InterventionType } from './schema/interventions.ts';
export { INTERVENTION_TYPES as interventionTypes } from '../interventions/index.ts';
export { checksSchema, registerCheck, type CheckSpec, type CheckSpecInput, type CheckType, type CheckSpecOf } from '../checks/registry.ts';
export { checkSchema } from './schema/checks.ts';
export { suiteSchema } from './suite-schema.ts';
export {
  ProblemSourceSchema,
  datasetFormats,
  type ProblemSource,
  type DatasetSourceSpec,
  type FamilySourceSpec,
  type InlineProblemSpec,
  type DatasetFormat,
} from '../problems/schema.ts';
export { suiteJsonSchema } from './json-schema.ts';
export { suiteGoldenPath } from './golden-path.ts';
export { engineLabel, interventionParams } from './labels.ts';
