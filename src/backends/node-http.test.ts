import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyCut, postJson, postTarget, readBody } from './node-http.ts';

/** A real node:http server on port 0 whose /api/generate reply each test writes. */
async function serve(reply: (res: ServerResponse) => void): Promise<{ server: Server; url: URL; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => reply(res));
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
    const s = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"response":"a"}\n');
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
    await expect.poll(() => response.destroyed).toBe(true);
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
});
