/** Whole numbers written in English words (`twelve`, `one hundred and five`, `twenty-one`). */

const SMALL: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18,
  nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const SCALES: Record<string, bigint> = { thousand: 1000n, million: 1_000_000n, billion: 1_000_000_000n };

/** The integer the words spell, as decimal digits; undefined unless every word is a number word. */
export function numberFromWords(text: string): string | undefined {
  const words = text.trim().toLowerCase().replace(/-/g, ' ').split(/\s+/).filter((w) => w !== 'and');
  if (words.length === 0 || words[0] === '') return undefined;
  let sign = 1n;
  if (words[0] === 'negative' || words[0] === 'minus') {
    sign = -1n;
    words.shift();
    if (words.length === 0) return undefined;
  }
  let total = 0n;
  let group = 0n;
  let last: 'small' | 'hundred' | 'scale' | undefined;
  let lastScale = 10n ** 30n;
  for (const word of words) {
    if (word in SMALL) {
      const value = BigInt(SMALL[word]!);
      // `twenty one` adds, but `one two` or `twelve three` is not a number.
      if (last === 'small' && !(group % 100n >= 20n && group % 10n === 0n && value < 10n)) return undefined;
      group += value;
      last = 'small';
    } else if (word === 'hundred') {
      if (last !== 'small' || group >= 10n) return undefined;
      group *= 100n;
      last = 'hundred';
    } else if (word in SCALES) {
      const scale = SCALES[word]!;
      if (group === 0n || scale >= lastScale) return undefined;
      total += group * scale;
      group = 0n;
      lastScale = scale;
      last = 'scale';
    } else {
      return undefined;
    }
  }
  return String(sign * (total + group));
}
