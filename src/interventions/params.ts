import { InputError } from '../core/errors.ts';

/** Small readers for intervention parameters: each bad field is one clear InputError line. */
export class ParamReader {
  constructor(
    readonly where: string,
    readonly raw: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(raw)) {
      if (key !== 'type' && !allowed.includes(key)) {
        throw new InputError(`${where}.${key}`, `unknown parameter; expected one of ${allowed.join(', ') || '(none)'}`);
      }
    }
  }

  int(key: string, options: { min?: number; required?: boolean; default?: number } = {}): number | undefined {
    const v = this.raw[key];
    if (v === undefined) {
      if (options.required) throw new InputError(`${this.where}.${key}`, 'required: expected an integer');
      return options.default;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (options.min ?? 0)) {
      throw new InputError(`${this.where}.${key}`, `expected an integer >= ${options.min ?? 0}, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  num(key: string, options: { min?: number; max?: number; default?: number } = {}): number | undefined {
    const v = this.raw[key];
    if (v === undefined) return options.default;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < (options.min ?? -Infinity) || v > (options.max ?? Infinity)) {
      throw new InputError(`${this.where}.${key}`, `expected a number in [${options.min ?? '-inf'}, ${options.max ?? 'inf'}], got ${JSON.stringify(v)}`);
    }
    return v;
  }

  str(key: string, options: { default?: string; nonEmpty?: boolean } = {}): string | undefined {
    const v = this.raw[key];
    if (v === undefined) return options.default;
    if (typeof v !== 'string' || (options.nonEmpty && v === '')) {
      throw new InputError(`${this.where}.${key}`, `expected a ${options.nonEmpty ? 'non-empty ' : ''}string, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  bool(key: string, def?: boolean): boolean | undefined {
    const v = this.raw[key];
    if (v === undefined) return def;
    if (typeof v !== 'boolean') throw new InputError(`${this.where}.${key}`, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  strings(key: string): string[] | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || v.some((s) => typeof s !== 'string' || s === '')) {
      throw new InputError(`${this.where}.${key}`, 'expected a non-empty array of non-empty strings');
    }
    return v as string[];
  }

  numbers(key: string, min: number, max: number): number[] | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || v.some((n) => typeof n !== 'number' || !(n >= min && n <= max))) {
      throw new InputError(`${this.where}.${key}`, `expected a non-empty array of numbers in [${min}, ${max}]`);
    }
    return v as number[];
  }
}

/** Drops undefined values so params stay JSON-clean. */
export function clean<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** A short JSON-ish label for strings in describe(). */
export function short(s: string): string {
  const j = JSON.stringify(s);
  return j.length > 24 ? `${j.slice(0, 21)}..."` : j;
}
