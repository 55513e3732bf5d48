/** The arithmetic mean; NaN for no values (reports show NaN as "n/a"), so an empty group never reads as 0. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
}
