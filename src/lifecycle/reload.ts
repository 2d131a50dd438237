import { isDeepStrictEqual } from 'node:util';
import { sourceNames } from '../config/load.js';
import type { Config, SourceConfig } from '../config/schema.js';

/** What a reload did: refused (nothing changed), or applied with the list of what changed. */
export type ReloadResult =
  | { applied: false; reason: 'needs_restart'; keys: string[] }
  | { applied: true; changed: string[]; sources: { replaced: string[]; added: string[]; removed: string[] }; realms: { added: string[]; removed: string[] } };

/**
 * Keys whose change needs a new listener or a rebuilt data plane: a reload that touches one of them
 * is refused whole (the running config keeps serving) rather than half-applied.
 * - listen/admin host and port: a new socket would be a new listener;
 * - listen.tls on/off and client certificates on/off: an http vs https server, requestCert;
 * - upstream: the HTTP forward and the parsed upstream are built once;
 * - `hello` in realmFrom: the HELLO peek handler is created at start;
 * - maxQueuedTotal: a bound fixed in the admission at start.
 */
export function restartOnlyChanges(prev: Config, next: Config): string[] {
  const out: string[] = [];
  const cmp = (key: string, a: unknown, b: unknown): void => {
    if (!isDeepStrictEqual(a, b)) out.push(key);
  };
  cmp('listen.host', prev.listen.host, next.listen.host);
  cmp('listen.port', prev.listen.port, next.listen.port);
  cmp('admin.host', prev.admin.host, next.admin.host);
  cmp('admin.port', prev.admin.port, next.admin.port);
  cmp('listen.tls (on/off)', prev.listen.tls !== undefined, next.listen.tls !== undefined);
  cmp('listen.tls.caFile (on/off)', prev.listen.tls?.caFile !== undefined, next.listen.tls?.caFile !== undefined);
  cmp('upstream', prev.upstream, next.upstream);
  cmp('realmFrom (hello)', prev.realmFrom.includes('hello'), next.realmFrom.includes('hello'));
  cmp('maxQueuedTotal', prev.maxQueuedTotal, next.maxQueuedTotal);
  // Read once when the listener, the budget and the drain guard are built.
  cmp('listen.rawsocket', prev.listen.rawsocket, next.listen.rawsocket);
  cmp('listen.maxConnections', prev.listen.maxConnections, next.listen.maxConnections);
  cmp('listen.headersTimeoutMs', prev.listen.headersTimeoutMs, next.listen.headersTimeoutMs);
  cmp('limits', prev.limits, next.limits);
  cmp('admin (token settings)', [prev.admin.token, prev.admin.tokenFile, prev.admin.requireToken], [next.admin.token, next.admin.tokenFile, next.admin.requireToken]);
  return out;
}

/** Top-level keys whose value changed (for the reload log line). */
export function changedKeys(prev: Config, next: Config): string[] {
  const keys = new Set([...Object.keys(prev), ...Object.keys(next)]) as Set<keyof Config>;
  return [...keys].filter((k) => !isDeepStrictEqual(prev[k], next[k])).sort();
}

export interface SourcePlan {
  /** Same name, same settings: the running source goes on untouched. */
  keep: string[];
  /** Same name, other settings: stopped and started anew (the new one inherits its last answers). */
  replace: string[];
  add: string[];
  remove: string[];
}

/** Which sources a reload keeps, replaces, adds and removes, by their resolved names. */
export function planSources(prev: readonly SourceConfig[], next: readonly SourceConfig[], discoverChanged: boolean): SourcePlan {
  const byName = (list: readonly SourceConfig[]): Map<string, SourceConfig> => {
    const names = sourceNames(list);
    return new Map(list.map((c, i) => [names[i]!, c]));
  };
  const before = byName(prev);
  const after = byName(next);
  const plan: SourcePlan = { keep: [], replace: [], add: [], remove: [] };
  for (const [name, cfg] of after) {
    const old = before.get(name);
    if (!old) plan.add.push(name);
    // The crossbar source discovers realms only when none are configured: that switch is a setting too.
    else if (isDeepStrictEqual(old, cfg) && !(discoverChanged && cfg.type === 'crossbar')) plan.keep.push(name);
    else plan.replace.push(name);
  }
  for (const name of before.keys()) if (!after.has(name)) plan.remove.push(name);
  return plan;
}

/**
 * Serializes SIGHUPs: one reload at a time, and a signal that arrives during one triggers exactly
 * one more afterwards (the file may have changed again), however many arrive.
 */
export function createReloadTrigger(run: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const loop = async (): Promise<void> => {
    running = true;
    try {
      do {
        again = false;
        await run().catch(() => {});
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) {
      again = true;
      return;
    }
    void loop();
  };
}
