import { describe, expect, it } from 'vitest';
import { DEFAULT_OLLAMA_HOST, hostIdentity, normaliseHost, resolveHost } from './host.ts';
import { InputError } from '../core/errors.ts';

describe('resolveHost', () => {
  const table: [string, string][] = [
    ['127.0.0.1', 'http://127.0.0.1:11434'],
    ['localhost', 'http://localhost:11434'],
    ['gpu-box', 'http://gpu-box:11434'],
    ['gpu-box:8080', 'http://gpu-box:8080'],
    [':11435', 'http://127.0.0.1:11435'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['0.0.0.0:9999', 'http://127.0.0.1:9999'],
    ['http://gpu-box:8080', 'http://gpu-box:8080'],
    ['http://gpu-box:8080/', 'http://gpu-box:8080'],
    ['http://gpu-box', 'http://gpu-box:80'],
    ['https://ollama.example.com', 'https://ollama.example.com:443'],
    ['https://example.com/ollama/', 'https://example.com:443/ollama'],
    ['HTTP://gpu-box:1', 'http://gpu-box:1'],
    ['[::1]:11434', 'http://[::1]:11434'],
    ['::1', 'http://[::1]:11434'],
    ['[::]', 'http://[::1]:11434'],
    ['  10.0.0.5:11434  ', 'http://10.0.0.5:11434'],
  ];
  it.each(table)('OLLAMA_HOST=%j -> %s', (raw, expected) => {
    expect(resolveHost(undefined, { OLLAMA_HOST: raw })).toEqual({ url: expected, source: 'OLLAMA_HOST' });
  });

  it('prefers --host over OLLAMA_HOST over the default', () => {
    expect(resolveHost('a:1', { OLLAMA_HOST: 'b:2' })).toEqual({ url: 'http://a:1', source: '--host' });
    expect(resolveHost(undefined, { OLLAMA_HOST: 'b:2' })).toEqual({ url: 'http://b:2', source: 'OLLAMA_HOST' });
    expect(resolveHost(undefined, {})).toEqual({ url: DEFAULT_OLLAMA_HOST, source: 'default' });
    expect(resolveHost('', { OLLAMA_HOST: '  ' })).toEqual({ url: DEFAULT_OLLAMA_HOST, source: 'default' });
  });

  it.each(['gpu-box:http', 'gpu-box:70000', 'gpu-box:0', 'ftp://gpu-box', 'gpu box:1'])(
    'rejects %j with one clear line naming the setting',
    (raw) => {
      const error = (() => {
        try {
          normaliseHost(raw, 'OLLAMA_HOST');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toContain('OLLAMA_HOST=');
      expect((error as InputError).message).not.toContain('\n');
    },
  );
});

describe('hostIdentity', () => {
  it('gives every spelling of one host one identity', () => {
    const spellings = ['127.0.0.1:42001', 'http://127.0.0.1:42001/', 'HTTP://127.0.0.1:42001', ' http://127.0.0.1:42001// ', 'Http://127.0.0.1:42001'];
    for (const flag of spellings) expect(hostIdentity(flag, {})).toBe('http://127.0.0.1:42001');
    for (const env of spellings) expect(hostIdentity(undefined, { OLLAMA_HOST: env })).toBe('http://127.0.0.1:42001');
    expect(hostIdentity('GPU-Box:8080', {})).toBe(hostIdentity('http://gpu-box:8080/', {}));
  });

  it('keeps different hosts, ports, schemes and paths apart', () => {
    const ids = ['127.0.0.1:42001', '127.0.0.1:42002', '127.0.0.2:42001', 'https://127.0.0.1:42001', 'http://127.0.0.1:42001/proxy'].map((h) => hostIdentity(h, {}));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is null for the default server, however it is written', () => {
    expect(hostIdentity(undefined, {})).toBeNull();
    expect(hostIdentity('127.0.0.1', {})).toBeNull();
    expect(hostIdentity(undefined, { OLLAMA_HOST: 'http://127.0.0.1:11434/' })).toBeNull();
    expect(hostIdentity('0.0.0.0:11434', {})).toBeNull();
  });
});
