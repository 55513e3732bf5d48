/** The simulator's behaviour model: tokenizer, cards, reader/writer mind, truth API. */
export { createSimModel, type SimModelExt, type SimModelOptions, type PromptReading, type SimReader } from './model.ts';
export { loadCard, parseCard, builtinCards, defaultCardName, type ModelCard } from '../cards/load.ts';
export { loadAnswerKey, normalizeQuestion, type AnswerKeyEntry } from './answers.ts';
export { tokenize, isSpecialToken, SPECIAL_TOKENS } from './tokenizer.ts';
export { createTemplate, parsePrompt, type TemplateFamily, type TemplateSettings } from './templates.ts';
export type { Belief } from './mind.ts';
export { RAML_STOP_PHRASE, NO_THINKING_PREFILL } from './phrases.ts';
export type { SimModel, Generation, GeneratedToken, SamplingOptions, SimTemplate, TokenAlternative } from './types.ts';
