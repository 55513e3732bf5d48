import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { hostPool, hostSpecs, parseHostEntries } from './hosts.ts';

describe('host lists', () => {
  it('reads comma-separated hosts with #N slot counts, and the default for the rest', () => {
    expect(parseHostEntries('http://a:11434#4, b:11434 ,[::1]:8000#2', '--host', 3)).toEqual([
      { address: 'http://a:11434', slots: 4, where: '--host' },
      { address: 'b:11434', slots: 3, where: '--host' },
      { address: '[::1]:8000', slots: 2, where: '--host' },
    ]);
  });

  it('rejects an empty entry or a bad slot count with one line naming the setting', () => {
    expect(() => parseHostEntries('a,,b', 'OLLAMA_HOST', 1)).toThrow(/^OLLAMA_HOST="a,,b": expected hosts separated by single commas/);
    for (const bad of ['a#0', 'a#x', 'a#', 'a#300', 'a#1.5']) {
      expect(() => parseHostEntries(bad, '--host', 1)).toThrow(InputError);
      expect(() => parseHostEntries(bad, '--host', 1)).toThrow(/slot count 1\.\.256 after '#'/);
    }
  });

  it('takes --host over the environment, and the environment variable of the backend kind', () => {
    const env = { OLLAMA_HOST: 'x:1#2,y:2', OPENAI_BASE_URL: 'v:8000,w:8000' };
    expect(hostSpecs('a:1', 'OLLAMA_HOST', 1, env).map((s) => s.address)).toEqual(['a:1']);
    expect(hostSpecs(undefined, 'OLLAMA_HOST', 1, env).map((s) => [s.address, s.slots, s.where])).toEqual([
      ['x:1', 2, 'OLLAMA_HOST'],
      ['y:2', 1, 'OLLAMA_HOST'],
    ]);
    expect(hostPool('openai:Qwen/QwQ-32B', undefined, undefined, env)).toEqual({
      specs: [
        { address: 'v:8000', slots: 4, where: 'OPENAI_BASE_URL' },
        { address: 'w:8000', slots: 4, where: 'OPENAI_BASE_URL' },
      ],
      concurrency: 8,
    });
  });

  it('pools only several hosts or an explicit slot count; --concurrency is the slots of a host without #N', () => {
    expect(hostPool('qwq', 'a:1', undefined, {})).toBeUndefined();
    expect(hostPool('qwq', undefined, undefined, {})).toBeUndefined();
    expect(hostPool('sim:sim-qwq', 'a:1,b:2', undefined, {})).toBeUndefined();
    expect(hostPool('openai:sim:sim-qwq', 'a:1,b:2', undefined, {})).toBeUndefined();
    expect(hostPool('qwq', 'a:1#3', undefined, {})?.concurrency).toBe(3);
    expect(hostPool('qwq', 'a:1#3,b:2', undefined, {})?.concurrency).toBe(4);
    expect(hostPool('qwq', 'a:1#3,b:2', 5, {})?.concurrency).toBe(8);
  });
});
