/** Small statistics helpers of the bench (all inputs in any one unit; outputs in the same). */

/** The q-quantile (0..1) by nearest rank; NaN for no samples. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Median, ignoring NaN and null (NaN arrives as null over IPC); NaN if nothing is left. */
export function median(xs: readonly (number | null)[]): number {
  return quantile(xs.filter((x): x is number => typeof x === 'number' && !Number.isNaN(x)), 0.5);
}

/** Rounds to `digits` decimals (default 0); NaN stays NaN. */
export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Monotonic time in µs (CLOCK_MONOTONIC: comparable between the bench's processes). */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
