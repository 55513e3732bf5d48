import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseRunFolder } from './run-folder.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempOut(): string {
  const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-run-folder-'));
  dirs.push(dir);
  return dir;
}

/** Makes a run folder as a run leaves it: a store, and a summary when it finished. */
function leave(dir: string, finished: boolean): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'store.sqlite'), '');
  if (finished) writeFileSync(join(dir, 'summary.json'), '{}');
}

const now = new Date('2026-12-02T13:29:45.250Z');

describe('chooseRunFolder', () => {
  it('names a new run by its start second and configuration hash', () => {
    const out = tempOut();
    expect(chooseRunFolder({ out, suite: 's', hash: 'abc', fresh: false, now })).toEqual({ runId: '20261202-132945Z-abc', dir: join(out, 's', '20261202-132945Z-abc'), resumed: false });
  });

  it('resumes the latest unfinished run of the same configuration unless fresh', () => {
    const out = tempOut();
    leave(join(out, 's', '20261202-120000Z-abc'), false);
    leave(join(out, 's', '20261202-130000Z-abc'), false);
    leave(join(out, 's', '20261202-130500Z-other'), false);
    expect(chooseRunFolder({ out, suite: 's', hash: 'abc', fresh: false, now })).toMatchObject({ runId: '20261202-130000Z-abc', resumed: true });
    expect(chooseRunFolder({ out, suite: 's', hash: 'abc', fresh: true, now })).toMatchObject({ runId: '20261202-132945Z-abc', resumed: false });
  });

  it('never reuses a folder started in the same second: a --fresh rerun or a finished run takes the next free second', () => {
    const out = tempOut();
    leave(join(out, 's', '20261202-132945Z-abc'), true);
    const second = chooseRunFolder({ out, suite: 's', hash: 'abc', fresh: false, now });
    expect(second).toMatchObject({ runId: '20261202-132946Z-abc', resumed: false });
    leave(second.dir, false);
    // Fresh: not the unfinished one, and not the finished one either.
    expect(chooseRunFolder({ out, suite: 's', hash: 'abc', fresh: true, now })).toMatchObject({ runId: '20261202-132947Z-abc', resumed: false });
  });
});
