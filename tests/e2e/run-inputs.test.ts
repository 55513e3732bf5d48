import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `thinkprobe run` checks every input before any work starts, and says what is wrong in one line
 * naming the flag or file: the real bin in a child process.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/thinkprobe.js');
const fixtures = join(root, 'tests/e2e/fixtures/run-cli');
const work = mkdtempSync(join(tmpdir(), 'thinkprobe-run-inputs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function thinkprobe(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, CI: 'true', OLLAMA_HOST: '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

function oneLine(ran: Ran): string {
  const lines = ran.stderr.trim().split('\n');
  expect(lines, ran.stderr).toHaveLength(1);
  return lines[0] ?? '';
}

/** A one-problem suite: a run of it takes a second or two on the fast card. */
function tinySuite(name: string, extra: Record<string, unknown> = {}): string {
  const file = join(work, `${name}.suite.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name,
      model: 'sim:sim-fast',
      maxThinkingTokens: 256,
      answerTokens: 32,
      problems: [{ id: 'p1', question: 'What is 17 + 25?', answer: '42' }],
      interventions: [{ type: 'baseline' }],
      checks: [{ type: 'accuracyAtLeast', intervention: 'baseline', min: 0 }],
      ...extra,
    }),
  );
  return file;
}

describe('thinkprobe run: every input is checked up front', () => {
  it('a broken second suite fails with exit 2 before the first one runs', async () => {
    const out = join(work, 'first-then-broken');
    const ran = await thinkprobe(['run', tinySuite('good'), join(fixtures, 'broken.yaml'), '--out', out, '--no-html']);
    expect(ran.code).toBe(2);
    expect(oneLine(ran)).toContain(`${join(fixtures, 'broken.yaml')}:9`);
    // Nothing of the first suite ran: no run folder, no progress, no summary.
    expect(existsSync(out)).toBe(false);
    expect(ran.stdout).toBe('');
  });

  it('a missing dataset in the second suite names that suite and the file, before any work', async () => {
    const out = join(work, 'missing-dataset');
    const missing = tinySuite('missing', { problems: [{ dataset: 'no-such-dir/questions.jsonl' }] });
    const ran = await thinkprobe(['run', tinySuite('good2'), missing, '--out', out]);
    expect(ran.code).toBe(2);
    const line = oneLine(ran);
    expect(line.startsWith(`thinkprobe: ${missing}`)).toBe(true);
    expect(line).toContain('questions.jsonl');
    expect(existsSync(out)).toBe(false);
  });

  it('a bad --template fails before the first of several suites runs', async () => {
    const out = join(work, 'template');
    const ran = await thinkprobe(['run', tinySuite('tpl1'), tinySuite('tpl2'), '--template', 'nope', '--out', out]);
    expect(ran.code).toBe(2);
    expect(oneLine(ran)).toMatch(/^thinkprobe: --template: unknown template 'nope'/);
    expect(existsSync(out)).toBe(false);
  });

  it('a TypeScript suite that throws while loading is named with the line it threw at', async () => {
    const file = join(work, 'throws.suite.ts');
    writeFileSync(file, "import { defineSuite } from 'thinkprobe';\nconst n: number = 1;\nconst x = (undefinedThing as { foo: number }).foo + n;\nexport default defineSuite({ name: 'x' } as never);\n");
    const ran = await thinkprobe(['run', file, '--out', join(work, 'throws')]);
    expect(ran.code).toBe(2);
    expect(oneLine(ran)).toBe(`thinkprobe: ${file}:3: could not be loaded: undefinedThing is not defined`);
  });

  it('--model sim:<unknown card> names the --model flag', async () => {
    const ran = await thinkprobe(['run', tinySuite('card'), '--model', 'sim:nope', '--out', join(work, 'card')]);
    expect(ran.code).toBe(2);
    expect(oneLine(ran)).toMatch(/^thinkprobe: --model sim:nope: expected a built-in card/);
  });

  it('a sim: card the suite names is checked with the suite named', async () => {
    const ran = await thinkprobe(['run', tinySuite('suitecard', { model: 'sim:nope' }), '--out', join(work, 'suitecard')]);
    expect(ran.code).toBe(2);
    expect(oneLine(ran)).toContain('suitecard.suite.json: model sim:nope: expected a built-in card');
  });
});

describe('thinkprobe run: --host and OLLAMA_HOST with a sim: model', () => {
  it('--host with a sim: model is bad input that says how to run the simulator over HTTP', async () => {
    const out = join(work, 'host');
    for (const model of ['sim:sim-fast', undefined]) {
      const ran = await thinkprobe(['run', tinySuite('host'), ...(model ? ['--model', model] : []), '--host', 'http://127.0.0.1:1', '--out', out]);
      expect(ran.code).toBe(2);
      const line = oneLine(ran);
      expect(line).toMatch(/^thinkprobe: --host: /);
      expect(line).toContain('thinkprobe sim --port P');
      expect(line).toContain('--model sim-fast --host http://127.0.0.1:P');
    }
    expect(existsSync(out)).toBe(false);
  });

  it('OLLAMA_HOST in the environment with a sim: model is a note, not an error: the run goes on in-process', async () => {
    const out = join(work, 'env-host');
    const ran = await thinkprobe(['run', tinySuite('envhost'), '--out', out, '--no-html', '--reporter', 'json'], { OLLAMA_HOST: 'http://127.0.0.1:1' });
    expect(ran.code).toBe(0);
    const notes = ran.stderr.split('\n').filter((l) => l.includes('OLLAMA_HOST'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^thinkprobe: note: OLLAMA_HOST is set but sim: models run in-process/);
    expect(readdirSync(join(out, 'envhost'))).toHaveLength(1);
  });
});

describe('thinkprobe run: several suites', () => {
  it('labels every stage with its suite, names every run folder at the end, and prints no stray L-hat line', async () => {
    const out = join(work, 'several');
    const a = tinySuite('alpha');
    const b = tinySuite('beta');
    const ran = await thinkprobe(['run', a, b, '--out', out, '--no-html']);
    expect(ran.code, ran.stderr).toBe(0);
    const dirs = ['alpha', 'beta'].map((name) => join(out, name, readdirSync(join(out, name))[0] ?? ''));
    const reports = ran.stdout.slice(ran.stdout.lastIndexOf(' Reports '));
    for (const dir of dirs) expect(reports).toContain(dir);
    const stages = ran.stderr.split('\n').filter((l) => l.startsWith('stage '));
    expect(stages).toContain(`stage ${a}: generation`);
    expect(stages).toContain(`stage ${b}: generation`);
    expect(stages).toContain(`stage ${b}: checks`);
    // No probes in these suites: no L-hat stage, and never the old stray line.
    expect(ran.stderr).not.toMatch(/L-hat/);
  });
});
