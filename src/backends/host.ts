import { InputError } from '../core/errors.ts';

/**
 * Where the Ollama server is: `--host`, else `OLLAMA_HOST`, else http://127.0.0.1:11434.
 * The official JS client does not read OLLAMA_HOST, but users set it for the `ollama` CLI, so we
 * follow the Go client's conventions (envconfig.Host): `host`, `host:port`, `:port`,
 * `scheme://host[:port][/path]`; without a scheme the port defaults to 11434, with `http://` to 80
 * and with `https://` to 443 (as Ollama's own client does). `0.0.0.0` and `::` are listen
 * addresses, not destinations: they mean this machine, so we connect to loopback.
 */

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

export interface ResolvedHost {
  /** Normalised base URL without a trailing slash, e.g. `http://127.0.0.1:11434`. */
  url: string;
  /** Which setting it came from, for error messages. */
  source: '--host' | 'OLLAMA_HOST' | 'default';
}

export function resolveHost(flag?: string, env: NodeJS.ProcessEnv = process.env): ResolvedHost {
  if (flag !== undefined && flag.trim() !== '') return { url: normaliseHost(flag, '--host'), source: '--host' };
  const fromEnv = env['OLLAMA_HOST'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { url: normaliseHost(fromEnv, 'OLLAMA_HOST'), source: 'OLLAMA_HOST' };
  }
  return { url: DEFAULT_OLLAMA_HOST, source: 'default' };
}

/** Turns one host setting into a base URL; `where` names the flag or variable in errors. */
export function normaliseHost(raw: string, where: string): string {
  const value = raw.trim();
  const fail = (why: string): never => {
    throw new InputError(
      `${where}=${JSON.stringify(raw)}`,
      `${why}; expected host, host:port, :port or http(s)://host:port, e.g. 127.0.0.1:11434`,
    );
  };

  let scheme = 'http';
  let defaultPort = '11434';
  let rest = value;
  const schemeAt = value.indexOf('://');
  if (schemeAt >= 0) {
    scheme = value.slice(0, schemeAt).toLowerCase();
    rest = value.slice(schemeAt + 3);
    if (scheme === 'http') defaultPort = '80';
    else if (scheme === 'https') defaultPort = '443';
    else fail(`unsupported scheme '${scheme}'`);
  }
  const slash = rest.indexOf('/');
  const hostport = slash >= 0 ? rest.slice(0, slash) : rest;
  let path = slash >= 0 ? rest.slice(slash) : '';
  path = path.replace(/\/+$/, '');

  let host: string;
  let port: string;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(hostport);
  if (bracketed) {
    host = bracketed[1] ?? '';
    port = bracketed[2] ?? defaultPort;
  } else if ((hostport.match(/:/g) ?? []).length > 1) {
    host = hostport; // a bare IPv6 address, no port
    port = defaultPort;
  } else {
    const colon = hostport.lastIndexOf(':');
    host = colon >= 0 ? hostport.slice(0, colon) : hostport;
    port = colon >= 0 ? hostport.slice(colon + 1) : defaultPort;
  }
  if (host === '') host = '127.0.0.1';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535 || Number(port) === 0) fail(`invalid port '${port}'`);
  if (/[\s@?#]/.test(host)) fail(`invalid host name '${host}'`);

  // DNS names and IPv6 hex digits are case-insensitive: one spelling per host, for run identities.
  host = host.toLowerCase();
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::' || host === '0:0:0:0:0:0:0:0') host = '::1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `${scheme}://${hostPart}:${Number(port)}${path}`;
  try {
    new URL(url);
  } catch {
    fail('not a valid URL');
  }
  return url;
}

/**
 * The host as it enters a run's identity (config hash): the normalised URL, so `127.0.0.1:42001`,
 * `http://127.0.0.1:42001/` and `HTTP://127.0.0.1:42001` resume the same run; null for the default
 * server (spelled out or not), which keeps identities of runs made without a host unchanged.
 */
export function hostIdentity(flag?: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const { url } = resolveHost(flag, env);
  return url === DEFAULT_OLLAMA_HOST ? null : url;
}
