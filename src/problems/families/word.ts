import { frac } from './fraction.ts';
import { evaluate, finishSteps, type RawStep } from './steps.ts';
import type { Operand, Solution } from './types.ts';
import type { Rng } from './rng.ts';

/** `word-problem`: "Maya has 12 apples. She buys 3 bags of 4 apples each. ... How many apples does Maya have now?" */

const PEOPLE: [string, string][] = [
  ['Maya', 'She'],
  ['Liam', 'He'],
  ['Sofia', 'She'],
  ['Noah', 'He'],
  ['Aisha', 'She'],
  ['Kenji', 'He'],
  ['Elena', 'She'],
  ['Omar', 'He'],
];
const ITEMS = ['apples', 'marbles', 'stickers', 'pencils', 'cookies', 'stamps', 'shells', 'coins'];
const PACKS = ['bags', 'boxes', 'packs', 'jars'];
const EVENTS_BY_DIFFICULTY = [2, 3, 4, 6, 8];

export function generateWord(rng: Rng, difficulty: number): string {
  const [name, pronoun] = rng.pick(PEOPLE);
  const items = rng.pick(ITEMS);
  const scale = 5 + difficulty * 5;
  let count = rng.int(5, scale);
  const sentences = [`${name} has ${count} ${items}.`];
  const events = EVENTS_BY_DIFFICULTY[difficulty - 1] ?? 3;
  for (let i = 0; i < events; i++) {
    const kind = rng.pick(['buy', 'give', 'find', 'double', 'share'] as const);
    if (kind === 'buy') {
      const b = rng.int(2, 6);
      const c = rng.int(2, 3 + difficulty * 2);
      sentences.push(`${pronoun} buys ${b} ${rng.pick(PACKS)} of ${c} ${items} each.`);
      count += b * c;
    } else if (kind === 'give' && count > 3) {
      const d = rng.int(1, Math.max(1, Math.floor(count / 2)));
      sentences.push(`${pronoun} gives away ${d} ${items}.`);
      count -= d;
    } else if (kind === 'double' && count < 400) {
      sentences.push(`${pronoun} doubles the number of ${items}.`);
      count *= 2;
    } else if (kind === 'share' && count % 2 === 0 && count > 4) {
      const k = count % 4 === 0 && count > 8 ? 4 : 2;
      sentences.push(`${pronoun} splits the ${items} into ${k} equal groups and keeps one group.`);
      count /= k;
    } else {
      const e = rng.int(2, scale);
      sentences.push(`${pronoun} finds ${e} more ${items}.`);
      count += e;
    }
  }
  sentences.push(`How many ${items} does ${name} have now?`);
  return sentences.join(' ');
}

const START = /(\p{Lu}\p{L}*) has (\d+) (\p{L}+)\./u;
const BUY = /^\p{L}+ buys (\d+) \p{L}+ of (\d+) \p{L}+ each\.$/u;
const GIVE = /^\p{L}+ gives away (\d+) \p{L}+\.$/u;
const FIND = /^\p{L}+ finds (\d+) more \p{L}+\.$/u;
const DOUBLE = /^\p{L}+ doubles the number of \p{L}+\.$/u;
const SHARE = /^\p{L}+ splits the \p{L}+ into (\d+) equal groups and keeps one group\.$/u;
const ASK = /^How many (\p{L}+) does (\p{Lu}\p{L}*) have now\?$/u;

export function solveWord(question: string): Solution | undefined {
  const start = START.exec(question);
  if (!start?.[2] || !start[3]) return undefined;
  const items = start[3];
  const rest = question.slice(start.index + start[0].length).trim();
  const sentences = rest.split(/(?<=[.?])\s+/);
  const steps: RawStep[] = [];
  let current: Operand = { kind: 'const', value: frac(Number(start[2])) };
  const push = (step: RawStep): Operand => {
    steps.push(step);
    return { kind: 'ref', step: steps.length - 1 };
  };
  const c = (n: string | undefined): Operand => ({ kind: 'const', value: frac(Number(n)) });
  let asked = false;
  for (const sentence of sentences) {
    let m: RegExpExecArray | null;
    if (asked) return undefined;
    if ((m = BUY.exec(sentence))) {
      const bought = push({ description: `find how many ${items} are in the new packs`, op: '*', left: c(m[1]), right: c(m[2]) });
      current = push({ description: `add the new ${items} to the ones already there`, op: '+', left: current, right: bought });
    } else if ((m = GIVE.exec(sentence))) {
      current = push({ description: `take away the ${items} given away`, op: '-', left: current, right: c(m[1]) });
    } else if ((m = FIND.exec(sentence))) {
      current = push({ description: `add the ${items} found`, op: '+', left: current, right: c(m[1]) });
    } else if (DOUBLE.test(sentence)) {
      current = push({ description: `double the number of ${items}`, op: '*', left: current, right: c('2') });
    } else if ((m = SHARE.exec(sentence))) {
      current = push({ description: `split the ${items} into equal groups`, op: '/', left: current, right: c(m[1]) });
    } else if ((m = ASK.exec(sentence)) && m[1] === items && m[2] === start[1]) {
      asked = true;
    } else {
      return undefined;
    }
  }
  if (!asked || steps.length === 0) return undefined;
  if (evaluate(steps).some((v) => v === undefined)) return undefined;
  return { family: 'word-problem', ...finishSteps(steps) };
}
