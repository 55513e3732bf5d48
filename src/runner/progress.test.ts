import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../engine/index.ts';
import { barLine, progressDisplay } from './progress.ts';

/** A real Writable standing in for a terminal: isTTY, a width, and everything written to it. */
class FakeTty extends Writable {
  readonly isTTY = true;
  text = '';
  constructor(readonly columns: number) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  override write(chunk: string | Uint8Array): boolean {
    this.text += chunk.toString();
    return true;
  }
}

const progress = (done: number, total: number, extra: Partial<Progress> = {}): Progress => ({
  trees: { done, total },
  results: { done, total },
  requests: 123456,
  cacheHits: 98765,
  decodedTokens: 5000,
  prefillTokens: 100,
  ...extra,
});

/** What a terminal shows once every \r and erase-line is applied: one entry per screen line. */
function screen(text: string): string[] {
  const lines: string[] = [''];
  for (const part of text.split(/(\r|\x1b\[K|\n)/)) {
    if (part === '\r' || part === '\x1b[K') lines[lines.length - 1] = part === '\x1b[K' ? '' : (lines[lines.length - 1] ?? '');
    else if (part === '\n') lines.push('');
    else lines[lines.length - 1] += part;
  }
  return lines;
}

function setup(columns = 60) {
  const tty = new FakeTty(columns);
  let t = 0;
  const display = progressDisplay({ interactive: true, write: (line) => tty.write(`${line}\n`), stream: tty, now: () => (t += 1000) });
  return { tty, display };
}

describe('progressDisplay on a terminal', () => {
  it('never draws a line wider than the terminal (a wrapped bar cannot be cleared and tears the next line)', () => {
    for (const columns of [20, 40, 80, 200]) {
      const line = barLine('property case 12 (budget tokens=4096)', progress(3, 30), 5000, columns);
      expect([...line].length).toBeLessThan(columns);
    }
    const { tty, display } = setup(40);
    display.stage('generation');
    for (let i = 1; i <= 30; i++) display.update(progress(i, 30));
    for (const part of tty.text.split(/\r\x1b\[K/)) expect([...part.replace(/\n$/, '')].length).toBeLessThan(40);
  });

  it('labels every stage and restarts its count under the new label', () => {
    const { tty, display } = setup(120);
    display.stage('generation');
    display.update(progress(30, 30));
    display.stage('property case 3 (budget tokens=1234)');
    display.update(progress(2, 24));
    expect(screen(tty.text).at(-1)).toMatch(/^ property case 3 \(budget tokens=1234\) .* 2\/24 results/);
  });

  it('a logged line lands on its own line with the bar redrawn below it, never mixed into the bar', () => {
    const { tty, display } = setup(120);
    display.stage('generation');
    display.update(progress(5, 30));
    display.log('retrying a request to qwq in 500 ms (attempt 2): ECONNRESET');
    const lines = screen(tty.text);
    expect(lines[0]).toBe('retrying a request to qwq in 500 ms (attempt 2): ECONNRESET');
    expect(lines[1]).toMatch(/^ generation .* 5\/30 results/);
  });

  it('after stop the bar is gone and nothing more is drawn, even by a late update (Ctrl-C, the summary printed after)', () => {
    const { tty, display } = setup(120);
    display.stage('generation');
    display.update(progress(5, 30));
    display.stop();
    expect(screen(tty.text)).toEqual(['']);
    const after = tty.text;
    display.update(progress(6, 30));
    display.stage('golden');
    expect(tty.text).toBe(after);
    // A line logged after stop is plain: no erase sequence, no bar.
    display.log('interrupted: finished work is kept');
    expect(tty.text.slice(after.length)).toBe('interrupted: finished work is kept\n');
  });
});

describe('progressDisplay in CI logs', () => {
  it('writes a stage line per stage and a plain line at every 10%, restarting per stage', () => {
    const lines: string[] = [];
    const display = progressDisplay({ interactive: false, write: (line) => lines.push(line), now: () => 1 });
    display.stage('generation');
    for (let i = 1; i <= 10; i++) display.update(progress(i, 10));
    display.stage('property case 1 (budget tokens=800)');
    display.update(progress(1, 10));
    expect(lines[0]).toBe('stage generation');
    expect(lines.filter((l) => l.startsWith('progress '))).toHaveLength(11);
    expect(lines.at(-2)).toBe('stage property case 1 (budget tokens=800)');
    expect(lines.at(-1)).toMatch(/^progress 1\/10 results/);
    display.stop();
    display.update(progress(5, 10));
    expect(lines.at(-1)).toMatch(/^progress 1\/10 results/);
  });
});
