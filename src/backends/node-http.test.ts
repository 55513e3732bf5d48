import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyCut, mediaTypeOf, postJson, postTarget, readBody, readBoundedBody } from './node-http.ts';

/** A real node:http server on port 0 whose /api/generate reply each test writes. */
async function serve(reply: (res: ServerResponse, req: IncomingMessage) => void): Promise<{ server: Server; url: URL; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => reply(res, req));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: new URL(`http://127.0.0.1:${port}/api/generate`), connections: () => connections };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** Reads a reply until a line equal to `last` arrives; returns what was read. */
async function readUntil(target: ReturnType<typeof postTarget>, last: string): Promise<string> {
  const post = postJson(target, '{}', 'application/x-ndjson');
  const response = await post.response;
  let text = '';
  await readBody(response, (chunk) => {
    text += chunk.toString();
    return text.includes(`${last}\n`);
  });
  return text;
}

describe('postJson + readBody', () => {
  it('reuses one keep-alive connection for consecutive requests', async () => {
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end('{"done":true}\n');
    });
    servers.push(s.server);
    const target = postTarget(s.url);
    for (let i = 0; i < 3; i++) expect(await readUntil(target, '{"done":true}')).toBe('{"done":true}\n');
    expect(s.connections()).toBe(1);
  });

  it('after the last line, a server that keeps sending is cut off (bounded drain) and its socket not reused', async () => {
    let closed = false;
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"done":true}\n');
      const junk = 'x'.repeat(16 << 10);
      const timer = setInterval(() => res.write(junk), 1);
      res.on('close', () => {
        closed = true;
        clearInterval(timer);
      });
    });
    servers.push(s.server);
    const target = postTarget(s.url);
    expect(await readUntil(target, '{"done":true}')).toContain('{"done":true}\n');
    await expect.poll(() => closed, { timeout: 5000 }).toBe(true);
  });

  it('a body cut before its end rejects with BodyCut', async () => {
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"response":"a"}\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    servers.push(s.server);
    const post = postJson(postTarget(s.url), '{}', 'application/x-ndjson');
    const response = await post.response;
    await expect(readBody(response, () => false)).rejects.toBeInstanceOf(BodyCut);
  });

  it('what push throws rejects the read, and destroy() ends the request', async () => {
    let closed = false;
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"response":"a"}\n');
      res.on('close', () => (closed = true));
    });
    servers.push(s.server);
    const post = postJson(postTarget(s.url), '{}', 'application/x-ndjson');
    const response = await post.response;
    await expect(
      readBody(response, () => {
        throw new Error('bad line');
      }),
    ).rejects.toThrow('bad line');
    post.destroy();
    await expect.poll(() => closed).toBe(true);
  });

  it('lets timers run while it reads a large body that arrived all at once, rather than parsing it in one block', async () => {
    const body = Buffer.alloc(2 << 20, 0x61);
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': body.length });
      res.end(body);
    });
    servers.push(s.server);
    const post = postJson(postTarget(s.url), '{}', 'application/x-ndjson');
    const response = await post.response;
    // The whole body waits in the socket buffers before reading starts.
    await new Promise((resolve) => setTimeout(resolve, 200));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    let lastTicks = 0;
    let run = 0;
    let longestRun = 0;
    let read = 0;
    await readBody(response, (chunk) => {
      // Parsing a chunk of model output takes time: 1.5 ms of it per chunk here.
      for (const until = performance.now() + 1.5; performance.now() < until; );
      read += chunk.length;
      run = ticks === lastTicks ? run + 1 : 1;
      lastTicks = ticks;
      longestRun = Math.max(longestRun, run);
      return false;
    });
    clearInterval(timer);
    expect(read).toBe(body.length);
    // A 4 ms slice holds a few 1.5 ms chunks; without slices one socket read run delivers dozens.
    expect(longestRun).toBeLessThanOrEqual(6);
  });
  it('concurrent requests get a connection each; the next ones reuse them', async () => {
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      setTimeout(() => res.end('{"done":true}\n'), 20);
    });
    servers.push(s.server);
    const target = postTarget(s.url);
    for (let round = 0; round < 2; round++) {
      const texts = await Promise.all([0, 1, 2].map(() => readUntil(target, '{"done":true}')));
      expect(texts).toEqual(['{"done":true}\n', '{"done":true}\n', '{"done":true}\n']);
    }
    expect(s.connections()).toBe(3);
  });

  it('destroy() before the request is on a socket rejects at once as a reset, and the next request is served', async () => {
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end('{"done":true}\n');
    });
    servers.push(s.server);
    const target = postTarget(s.url);
    const post = postJson(target, '{}', 'application/x-ndjson');
    post.destroy();
    await expect(post.response).rejects.toMatchObject({ message: 'socket hang up', code: 'ECONNRESET' });
    expect(await readUntil(target, '{"done":true}')).toBe('{"done":true}\n');
  });

  it('a connection closed before the reply head rejects as node:http did (socket hang up, ECONNRESET)', async () => {
    const s = await serve((res) => res.socket?.destroy());
    servers.push(s.server);
    const post = postJson(postTarget(s.url), '{}', 'application/x-ndjson');
    await expect(post.response).rejects.toMatchObject({ message: 'socket hang up', code: 'ECONNRESET' });
  });

  it('sends the JSON body with its type, the accept header, the path and query, and the credentials of the URL', async () => {
    let seen: { url?: string | undefined; headers?: IncomingMessage['headers'] } = {};
    const body: Buffer[] = [];
    const server = createServer((req, res) => {
      seen = { url: req.url, headers: req.headers };
      req.on('data', (chunk: Buffer) => body.push(chunk));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'Application/X-NDJSON; charset=utf-8' });
        res.end('{"done":true}\n');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const post = postJson(postTarget(new URL(`http://us%20er:p%40ss@127.0.0.1:${port}/base/api/generate?x=1`)), '{"prompt":"é"}', 'application/x-ndjson');
    const response = await post.response;
    expect(response.statusCode).toBe(200);
    expect(mediaTypeOf(response)).toBe('application/x-ndjson');
    expect(await readBoundedBody(response, 1000)).toBe('{"done":true}\n');
    expect(seen.url).toBe('/base/api/generate?x=1');
    expect(seen.headers?.['content-type']).toBe('application/json');
    expect(seen.headers?.accept).toBe('application/x-ndjson');
    expect(seen.headers?.['content-length']).toBe(String(Buffer.byteLength('{"prompt":"é"}')));
    expect(seen.headers?.authorization).toBe(`Basic ${Buffer.from('us er:p@ss').toString('base64')}`);
    expect(Buffer.concat(body).toString()).toBe('{"prompt":"é"}');
  });

  it('an error body larger than the cap is refused, a body that arrived with the head is read whole', async () => {
    const s = await serve((res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('x'.repeat(5000));
    });
    servers.push(s.server);
    const target = postTarget(s.url);
    const big = await postJson(target, '{}', 'application/json').response;
    await expect(readBoundedBody(big, 4096)).rejects.toThrow('a reply larger than 4096 bytes');
    const whole = await postJson(target, '{}', 'application/json').response;
    // The whole body is in by now: it was kept for the reader that comes late.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(whole.statusCode).toBe(500);
    expect(await readBoundedBody(whole, 8192)).toBe('x'.repeat(5000));
  });
  it('a body far larger than what is kept for a late reader is read whole and in order', async () => {
    const body = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `${i}\n`).join(''));
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': body.length });
      res.end(body);
    });
    servers.push(s.server);
    const response = await postJson(postTarget(s.url), '{}', 'application/x-ndjson').response;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const chunks: Buffer[] = [];
    await readBody(response, (chunk) => {
      chunks.push(chunk);
      return false;
    });
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
  });
});
