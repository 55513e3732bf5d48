import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_ANSWER_HEADER } from '../../src/sim/server/no-answer.ts';
import type { SimServer } from '../../src/sim/server/index.ts';
import { model, problemPrompt, qwqPrompt, startServer } from './sim-helpers.ts';

const unknown = 'A train leaves Zorbland at 3 pm; how many quibbles does the conductor own?';
const unknown2 = 'Fred has some marbles of a colour nobody names. How many marbles does Fred have?';

async function generate(url: string, prompt: string): Promise<Response> {
  const response = await fetch(`${url}/api/generate`, {
    method: 'POST',
    body: JSON.stringify({ model, prompt, raw: true, stream: true, options: { num_predict: 8, seed: 1 } }),
  });
  await response.text();
  return response;
}

describe('a simulator without an answer for a problem', () => {
  let server: SimServer;
  const notices: string[] = [];
  beforeAll(async () => {
    server = await startServer({ onNotice: (line) => notices.push(line) });
  });
  afterAll(() => server.close());

  it('marks every response to an unknown problem and logs each problem once', async () => {
    const first = await generate(server.url, qwqPrompt(unknown));
    const again = await generate(server.url, `${qwqPrompt(unknown)}Let me think.`);
    const known = await generate(server.url, problemPrompt(3));
    const other = await generate(server.url, qwqPrompt(unknown2));
    expect(first.headers.get(NO_ANSWER_HEADER)).toBe('no-answer');
    expect(again.headers.get(NO_ANSWER_HEADER)).toBe('no-answer');
    expect(other.headers.get(NO_ANSWER_HEADER)).toBe('no-answer');
    // A generated family problem is solved, not guessed: no mark.
    expect(known.headers.get(NO_ANSWER_HEADER)).toBeNull();
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/^thinkprobe sim: sim-fast has no answer for "A train leaves Zorbland at 3 pm; how many quibbles does the conductor own\?": it answers with a guess \(start the simulator with --answers FILE/);
    expect(notices[1]).toContain('Fred has some marbles');
  });

  it('marks OpenAI-compatible completions too', async () => {
    const response = await fetch(`${server.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ model, prompt: qwqPrompt(unknown), max_tokens: 4, seed: 1 }) });
    await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get(NO_ANSWER_HEADER)).toBe('no-answer');
  });

  it('knows problems from an answer key and says nothing about them', async () => {
    const keyed = await startServer({ answerEntries: [{ question: unknown, answer: '7' }], onNotice: (line) => notices.push(line) });
    try {
      const before = notices.length;
      const reply = await generate(keyed.url, qwqPrompt(unknown));
      expect(reply.headers.get(NO_ANSWER_HEADER)).toBeNull();
      expect(notices).toHaveLength(before);
    } finally {
      await keyed.close();
    }
  });

  it('`thinkprobe sim` logs the line on stderr, with control characters of the question made inert', async () => {
    const bin = fileURLToPath(new URL('../../bin/thinkprobe.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'sim', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const match = /listening on (http:\S+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`thinkprobe sim exited ${code}: ${stderr}`)));
      });
      await generate(url, qwqPrompt(`How many \u001b[31mred\u001b[0m quibbles are there?`));
      await generate(url, qwqPrompt(`How many \u001b[31mred\u001b[0m quibbles are there?`));
      const deadline = Date.now() + 5000;
      while (!stderr.includes('has no answer') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const logged = stderr.split('\n').filter((l) => l.includes('has no answer for'));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain('"How many [31mred [0m quibbles are there?"');
      expect(logged[0]).not.toContain('\u001b');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
