/** Small I/O helpers of the simulator's HTTP server: bodies in, JSON and text out, precise sleeps. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.ts';

export const jsonType = 'application/json; charset=utf-8';
const maxBodyBytes = 64 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': jsonType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, head = false): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(head ? undefined : text);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new HttpError(413, 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** At least `ms` by the high-resolution clock (a timer may fire a little early). */
export async function sleep(ms: number): Promise<void> {
  const start = process.hrtime.bigint();
  for (;;) {
    const left = ms - Number(process.hrtime.bigint() - start) / 1e6;
    if (left <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(left))));
  }
}
