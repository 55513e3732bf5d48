import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { builtinCards, loadCard, type ModelCard } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-cards-'));
function cardFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}
const clone = (): ModelCard => structuredClone(loadCard('sim-qwq'));

describe('model cards', () => {
  it('ships valid built-in cards, sim-qwq by default', () => {
    for (const name of builtinCards) expect(loadCard(name).name).toBe(name);
    expect(loadCard().name).toBe('sim-qwq');
    expect(loadCard('sim-overthinker:latest').name).toBe('sim-overthinker');
  });

  it('loads a card from a file', () => {
    const card = clone();
    card.name = 'my-sim';
    card.template.family = 'deepseek-r1';
    expect(loadCard(cardFile('ok.json', card))).toEqual(card);
    expect(loadCard(cardFile('bom.json', `\uFEFF${JSON.stringify(card)}`))).toEqual(card);
  });

  it('names the file and the JSON pointer of a bad field, with what was expected, on one line', () => {
    const bad = clone() as unknown as { reflection: { catchRate: unknown } };
    bad.reflection.catchRate = 1.5;
    const file = cardFile('bad1.json', bad);
    const e1 = errorOf(() => loadCard(file));
    expect(e1.message).toBe(`${file}: /reflection/catchRate: expected <= 1`);

    const wrongType = clone() as unknown as { belief: { prior: unknown } };
    wrongType.belief.prior = [1, 2, 3];
    expect(errorOf(() => loadCard(cardFile('bad2.json', wrongType))).message).toBe(`${join(dir, 'bad2.json')}: /belief/prior: expected at least 5 items`);
    wrongType.belief.prior = 'high';
    expect(errorOf(() => loadCard(cardFile('bad2b.json', wrongType))).message).toBe(`${join(dir, 'bad2b.json')}: /belief/prior: expected an array`);

    const missing = clone() as unknown as Record<string, unknown>;
    delete missing.contextLength;
    expect(errorOf(() => loadCard(cardFile('bad3.json', missing))).message).toBe(`${join(dir, 'bad3.json')}: /contextLength: expected this field (it is missing)`);

    const extra = { ...clone(), colour: 'blue' };
    expect(errorOf(() => loadCard(cardFile('bad4.json', extra))).message).toBe(`${join(dir, 'bad4.json')}: /colour: unknown field, expected none here`);

    const family = clone() as unknown as { template: { family: string } };
    family.template.family = 'llama';
    expect(errorOf(() => loadCard(cardFile('bad5.json', family))).message).toContain('/template/family: expected one of "qwen2", "qwen3", "deepseek-r1"');

    for (const e of [e1]) expect(e.message).not.toContain('\n');
  });

  it('rejects unknown names, missing files and broken JSON with one clear line', () => {
    expect(errorOf(() => loadCard('sim-gpt')).message).toMatch(/^sim-gpt: expected a built-in card \(sim-qwq, sim-qwq-regressed, sim-overthinker, sim-fast, sim-qwq-minus5\) or an existing card JSON file$/);
    const broken = cardFile('broken.json', '{"name": ');
    const e = errorOf(() => loadCard(broken));
    expect(e.message).toMatch(/broken\.json: expected valid JSON/);
    expect(e.message).not.toContain('\n');
  });
});
