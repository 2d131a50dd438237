/** One line of the reliability report: a named check, whether it held, and its measured figures. */
export interface CheckRow {
  /** Section: bad input, load, faults, security. */
  group: string;
  check: string;
  pass: boolean;
  figures: Record<string, string | number | boolean>;
}

/** A row whose `pass` is the conjunction of named conditions; the failed ones are listed as `failed`. */
export function row(group: string, check: string, conditions: Record<string, boolean>, figures: CheckRow['figures']): CheckRow {
  const failed = Object.entries(conditions).filter(([, ok]) => !ok).map(([name]) => name);
  return { group, check, pass: failed.length === 0, figures: failed.length > 0 ? { ...figures, failed: failed.join('; ') } : figures };
}
