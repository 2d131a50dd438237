import type { Document, LineCounter } from 'yaml';
import { isMap, isSeq } from 'yaml';
import type { z } from 'zod';

/**
 * Turns zod issues into sentences a person acts on ("is required but missing", "must be one
 * of queue, reject, pass (got "wait")") instead of zod's type-checker wording, and finds
 * where in the file each problem is (line and column), so a long config is fixed in one pass.
 */

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (empty)';
  if (typeof v === 'string') return v === '' ? 'an empty string' : `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${String(v)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list',
  object: 'a mapping (key: value lines)', record: 'a mapping (key: value lines)',
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** One zod issue as a plain sentence; `input` is the (substituted) config the issue is about. */
export function plainMessage(issue: z.core.$ZodIssue, input: unknown): string {
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required but missing';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${describeValue(value)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')} (got ${describeValue(value)})`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (misspelt, or not a setting here: see docs/configuration.md)`;
    case 'too_small':
      if (issue.origin === 'array') return `must list at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)} (got ${describeValue(value)})`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)} (got ${describeValue(value)})`;
    case 'invalid_union':
      if ('discriminator' in issue && 'options' in issue) {
        return `must be one of ${(issue.options as unknown[]).map(String).join(', ')} (got ${describeValue(value)})`;
      }
      return issue.message;
    case 'invalid_format':
      return issue.message.startsWith('Invalid') && 'pattern' in issue ? `must match ${String(issue.pattern)} (got ${describeValue(value)})` : issue.message;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

/** "line L, column C" of the node at `path`, or of its nearest existing parent (a missing key). */
export function positionOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): string | undefined {
  let node: unknown = doc.contents;
  let found = node;
  for (const k of path) {
    if (isMap(node)) node = node.get(String(k), true);
    else if (isSeq(node)) node = node.get(Number(k), true);
    else break;
    if (node === undefined) break;
    found = node;
  }
  const range = (found as { range?: [number, number, number] } | null)?.range;
  if (!range) return undefined;
  const { line, col } = lines.linePos(range[0]);
  return `line ${line}, column ${col}`;
}
