/**
 * Units written after an answer, reduced to one canonical spelling so two answers can be told
 * apart by their units: `cm` = `centimeters`, `\text{m}^2` = `square meters`, but `cm` != `m`
 * and `m` != `m^2`. A unit on one side only is dropped (MATH's convention); two different units
 * are never equal, so an unknown word is its own unit (`apples` != `pears`).
 */

const SYNONYMS: Record<string, string> = {
  m: 'meter', metre: 'meter', cm: 'centimeter', centimetre: 'centimeter', mm: 'millimeter', millimetre: 'millimeter',
  km: 'kilometer', kilometre: 'kilometer', g: 'gram', kg: 'kilogram', mg: 'milligram', l: 'liter', litre: 'liter',
  ml: 'milliliter', millilitre: 'milliliter', ft: 'foot', feet: 'foot', in: 'inch', inches: 'inch', yd: 'yard',
  mi: 'mile', lb: 'pound', lbs: 'pound', oz: 'ounce', s: 'second', sec: 'second', secs: 'second', h: 'hour',
  hr: 'hour', hrs: 'hour', min: 'minute', mins: 'minute', mph: 'mile/hour', kph: 'kilometer/hour',
  cent: 'cent', dollar: 'dollar', usd: 'dollar', euro: 'euro', degree: 'degree', unit: 'unit',
};

const POWER_WORDS: Record<string, number> = { square: 2, sq: 2, cubic: 3, cu: 3 };

function singular(word: string): string {
  if (SYNONYMS[word]) return SYNONYMS[word]!;
  if (word.length > 3 && /(?:ch|sh|x|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 2 && word.endsWith('s') && !word.endsWith('ss')) {
    const stem = word.slice(0, -1);
    return SYNONYMS[stem] ?? stem;
  }
  return word;
}

/**
 * The canonical form of a unit phrase (`square meters`, `cm`, `units`) with an optional power
 * written after it (`^2`): `meter^2`, `centimeter`, `unit`. Empty for an empty phrase.
 */
export function canonicalUnit(phrase: string, power = 1): string {
  const words = phrase
    .toLowerCase()
    .replace(/[{}\\]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '' && w !== '.');
  let exponent = power;
  const names: string[] = [];
  for (const word of words) {
    if (POWER_WORDS[word] && names.length === 0) exponent *= POWER_WORDS[word]!;
    else names.push(singular(word));
  }
  if (names.length === 0) return '';
  const name = names.join(' ');
  return exponent === 1 ? name : `${name}^${exponent}`;
}
