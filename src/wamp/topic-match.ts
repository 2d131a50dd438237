/**
 * WAMP pattern-based subscription matching (advanced profile): `exact`, `prefix`, and `wildcard`
 * where an empty URI component matches any one component (`a..c` matches `a.b.c`).
 */
export type MatchPolicy = 'exact' | 'prefix' | 'wildcard';

export function parseMatchPolicy(value: unknown): MatchPolicy | undefined {
  if (value === undefined || value === null) return 'exact';
  return value === 'exact' || value === 'prefix' || value === 'wildcard' ? value : undefined;
}

/** True when `topic` (a concrete URI) is matched by `pattern` under `match`. */
export function topicMatches(pattern: string, match: MatchPolicy, topic: string): boolean {
  if (match === 'exact') return pattern === topic;
  if (match === 'prefix') return topic.startsWith(pattern);
  const want = pattern.split('.');
  const got = topic.split('.');
  if (want.length !== got.length) return false;
  return want.every((part, i) => part === '' || part === got[i]);
}
