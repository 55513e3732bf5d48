import { describe, expect, it } from 'vitest';
import { BackendUnreachableError, InputError } from '../core/errors.ts';
import { checkServerVersion, compareVersions, OllamaBackend } from './ollama.ts';

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
