import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { BackendUnreachableError, InputError } from '../core/errors.ts';
import { checkServerVersion, compareVersions, generateBody, OllamaBackend } from './ollama.ts';
import { needsShared } from '../../tests/shared.ts';

const specFile = fileURLToPath(new URL('../../../shared/reference/ollama-openapi.yaml', import.meta.url));

describe('server version', () => {
  it('compares dotted versions numerically', () => {
    expect(compareVersions('0.12.11', '0.12.9')).toBe(1);
    expect(compareVersions('0.12.10', '0.12.11')).toBe(-1);
    expect(compareVersions('0.13', '0.12.11')).toBe(1);
    expect(compareVersions('v0.12.11', '0.12.11')).toBe(0);
    expect(compareVersions('0.12.11-rc2', '0.12.11')).toBe(0);
    expect(compareVersions('1.0.0', '0.99.99')).toBe(1);
  });

  it('refuses a server too old for logprobs with one line saying what to do', () => {
    expect(() => checkServerVersion('0.12.10', 'http://gpu:11434')).toThrow(BackendUnreachableError);
    expect(() => checkServerVersion('0.6.2', 'http://gpu:11434')).toThrow(
      'Ollama 0.6.2 at http://gpu:11434 is too old for logprobs; upgrade to >= 0.12.11',
    );
    expect(() => checkServerVersion('0.12.11', 'x')).not.toThrow();
    expect(() => checkServerVersion('0.24.0-sim', 'x')).not.toThrow();
    expect(() => checkServerVersion('0.0.0', 'x')).not.toThrow(); // a source build
  });
});

describe('construction', () => {
  it('needs a fixed positive num_ctx', () => {
    expect(() => new OllamaBackend({ host: 'http://127.0.0.1:1', numCtx: 0 })).toThrow(InputError);
    expect(() => new OllamaBackend({ host: 'http://127.0.0.1:1', numCtx: 1.5 })).toThrow('num_ctx: expected a positive integer context size, got 1.5');
    expect(new OllamaBackend({ host: 'http://127.0.0.1:1', numCtx: 8192 }).numCtx).toBe(8192);
  });
});

describe.skipIf(!existsSync(specFile))(needsShared("the request body against Ollama's OpenAPI document", specFile), () => {
  it('uses only documented fields with documented types (plus truncate and shift, which it does not list yet)', () => {
    const spec = parse(readFileSync(specFile, 'utf8')) as { components: { schemas: Record<string, Record<string, unknown>> } };
    const schemas = structuredClone(spec.components.schemas);
    const generate = schemas['GenerateRequest']!;
    // Strict: a misspelt field (top_logprob, num_predicts) must fail, not be ignored as Ollama would.
    generate['properties'] = { ...(generate['properties'] as object), truncate: { type: 'boolean' }, shift: { type: 'boolean' } };
    generate['additionalProperties'] = false;
    schemas['ModelOptions']!['additionalProperties'] = false;
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'ollama', components: { schemas } });
    const validate = ajv.getSchema('ollama#/components/schemas/GenerateRequest')!;
    const body = generateBody(
      'qwq',
      { prompt: '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n', maxTokens: 512, stop: ['</think>'], seed: 3, sampling: { temperature: 0.6, topP: 0.95, topK: 40 }, topLogprobs: 20 },
      32768,
      '30m',
    );
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...body, top_logprob: 5 })).toBe(false);
    expect(validate({ ...body, options: { ...body.options, num_predicts: 5 } })).toBe(false);
  });
});
