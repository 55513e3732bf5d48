/**
 * Every response shape the simulator sends, validated with ajv against the project's own schemas
 * and, when ../shared/reference/ollama-openapi.yaml is present, against Ollama's published OpenAPI spec.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import type { SimServer } from '../../src/sim/server/index.ts';
import {
  chatResponseSchema,
  errorResponseSchema,
  generateResponseSchema,
  psResponseSchema,
  showResponseSchema,
  statsResponseSchema,
  tagsResponseSchema,
  versionResponseSchema,
} from '../../src/sim/server/schemas.ts';
import { get, lines, model, post, problemPrompt, startServer } from './sim-helpers.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const openapiPath = fileURLToPath(new URL('../../../shared/reference/ollama-openapi.yaml', import.meta.url));
const haveOpenapi = existsSync(openapiPath);

type Kind = 'version' | 'tags' | 'ps' | 'show' | 'generate' | 'generateStream' | 'chat' | 'chatStream' | 'error' | 'stats';
interface Sample {
  label: string;
  kind: Kind;
  body: unknown;
}

let server: SimServer;
const samples: Sample[] = [];

beforeAll(async () => {
  server = await startServer({ parallel: 2 });
  const url = server.url;
  const json = (text: string): unknown => JSON.parse(text);
  const add = (label: string, kind: Kind, body: unknown): void => {
    samples.push({ label, kind, body });
  };
  add('version', 'version', json((await get(url, '/api/version')).text));
  add('tags', 'tags', json((await get(url, '/api/tags')).text));
  add('show', 'show', json((await post(url, '/api/show', { model })).text));
  const options = { seed: 2, num_predict: 30 };
  for (const [label, body] of [
    ['raw, logprobs, top 3', { model, prompt: problemPrompt(5), raw: true, think: false, logprobs: true, top_logprobs: 3, options }],
    ['raw, thinking parsed', { model, prompt: problemPrompt(6), raw: true, options }],
    ['templated', { model, prompt: 'What is 3 + 4?', options: { seed: 2, num_predict: 600 } }],
    ['stop string', { model, prompt: problemPrompt(8), raw: true, think: false, logprobs: true, options: { ...options, stop: [' '] } }],
  ] as const) {
    for (const line of lines((await post(url, '/api/generate', { ...body, stream: true })).text)) add(`generate stream: ${label}`, 'generateStream', line);
    add(`generate: ${label}`, 'generate', json((await post(url, '/api/generate', { ...body, stream: false })).text));
  }
  add('generate: load', 'generate', json((await post(url, '/api/generate', { model })).text));
  for (const [label, body] of [
    ['think', { model, messages: [{ role: 'user', content: 'What is 2 + 9?' }], options: { seed: 4, num_predict: 600 } }],
    ['no think, logprobs', { model, messages: [{ role: 'user', content: 'What is 2 + 9?' }], think: false, logprobs: true, top_logprobs: 2, options }],
  ] as const) {
    for (const line of lines((await post(url, '/api/chat', { ...body, stream: true })).text)) add(`chat stream: ${label}`, 'chatStream', line);
    add(`chat: ${label}`, 'chat', json((await post(url, '/api/chat', { ...body, stream: false })).text));
  }
  add('ps', 'ps', json((await get(url, '/api/ps')).text));
  add('error 404', 'error', json((await post(url, '/api/generate', { model: 'nope', prompt: 'x' })).text));
  add('error 400', 'error', json((await post(url, '/api/chat', { model, messages: 'x' })).text));
  add('stats', 'stats', json((await get(url, '/sim/stats')).text));
});

afterAll(async () => {
  await server.close();
});

function report(validate: ValidateFunction, sample: Sample): string {
  return `${sample.label}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(sample.body).slice(0, 400)}`;
}

describe('response shapes', () => {
  it('match the project schemas', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    const own: Record<Kind, ValidateFunction> = {
      version: ajv.compile(versionResponseSchema),
      tags: ajv.compile(tagsResponseSchema),
      ps: ajv.compile(psResponseSchema),
      show: ajv.compile(showResponseSchema),
      generate: ajv.compile(generateResponseSchema),
      generateStream: ajv.compile(generateResponseSchema),
      chat: ajv.compile(chatResponseSchema),
      chatStream: ajv.compile(chatResponseSchema),
      error: ajv.compile(errorResponseSchema),
      stats: ajv.compile(statsResponseSchema),
    };
    expect(samples.length).toBeGreaterThan(20);
    for (const sample of samples) {
      const validate = own[sample.kind];
      expect(validate(sample.body), report(validate, sample)).toBe(true);
    }
  });

  it('finish every stream with exactly one done chunk carrying done_reason and counts', () => {
    const finals = samples.filter((s) => (s.kind === 'generateStream' || s.kind === 'chatStream') && (s.body as { done: boolean }).done);
    expect(finals.length).toBe(6);
    for (const final of finals) expect(final.body).toMatchObject({ done_reason: expect.stringMatching(/^(stop|length)$/), prompt_eval_count: expect.any(Number) });
  });

  it.skipIf(!haveOpenapi)("match Ollama's published OpenAPI schemas", () => {
    const spec = parse(readFileSync(openapiPath, 'utf8')) as { components: { schemas: Record<string, unknown> } };
    const ajv = new Ajv({ allErrors: true, strict: false, formats: { float: true } });
    addFormats(ajv);
    ajv.addSchema({ $id: 'ollama', components: spec.components });
    const ref = (name: string): ValidateFunction => {
      const validate = ajv.getSchema(`ollama#/components/schemas/${name}`);
      if (!validate) throw new Error(`no schema ${name} in the OpenAPI file`);
      return validate;
    };
    const theirs: Partial<Record<Kind, ValidateFunction>> = {
      version: ref('VersionResponse'),
      tags: ref('ListResponse'),
      ps: ref('PsResponse'),
      show: ref('ShowResponse'),
      generate: ref('GenerateResponse'),
      generateStream: ref('GenerateStreamEvent'),
      chat: ref('ChatResponse'),
      chatStream: ref('ChatStreamEvent'),
      error: ref('ErrorResponse'),
    };
    let checked = 0;
    for (const sample of samples) {
      const validate = theirs[sample.kind];
      if (!validate) continue;
      expect(validate(sample.body), report(validate, sample)).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });
});
