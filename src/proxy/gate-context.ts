import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Metrics, Outcome } from '../metrics.js';
import { UNKNOWN_REALM_LABEL } from '../metrics.js';
import type { RealmRegistry } from '../realms/registry.js';
import type { Admission, AdmissionPolicy, RejectReason } from './admission.js';
import type { Tunnels } from './tunnels.js';
import type { Upstream } from './tunnel.js';

/**
 * A client the gate has accepted that is neither in an admission queue nor in a tunnel
 * (a HELLO-peek client before its HELLO, or waiting to be re-admitted): drain and destroy
 * must still reach it.
 */
export interface PendingClient {
  /**
   * Answer it as draining (ABORT or close 1001) if it is waiting; true when it was answered,
   * false when it is not waiting (already admitted and connecting: it becomes a tunnel).
   */
  drain(): boolean;
  destroy(): void;
}

/** What every client-facing handler (upgrade, HELLO peek) shares. */
export interface GateContext {
  clock: Clock;
  pending: Set<PendingClient>;
  config: Config;
  registry: RealmRegistry;
  admission: Admission;
  metrics: Metrics;
  logger: Logger;
  tunnels: Tunnels;
  upstream: Upstream;
  policyFor(realm: string): AdmissionPolicy;
}

/** Metric label for a realm: guarded realms by name, anything else `_unknown` (bounded cardinality). */
export function realmLabel(ctx: GateContext, realm: string | undefined): string {
  return realm !== undefined && ctx.registry.isKnown(realm) ? realm : UNKNOWN_REALM_LABEL;
}

export const outcomeForReject: Record<RejectReason, Outcome> = {
  realm_not_ready: 'rejected_not_ready',
  queue_full: 'rejected_queue_full',
  queue_timeout: 'queue_timeout',
  draining: 'draining',
};

/** Builds the per-realm policy lookup: the realm's own settings over `defaults`. */
export function createPolicyLookup(config: Config): (realm: string) => AdmissionPolicy {
  const base: AdmissionPolicy = { ...config.defaults };
  const byRealm = new Map<string, AdmissionPolicy>();
  for (const r of config.realms) {
    byRealm.set(r.name, {
      onNotReady: r.onNotReady ?? base.onNotReady,
      queueTimeoutMs: r.queueTimeoutMs ?? base.queueTimeoutMs,
      maxQueued: r.maxQueued ?? base.maxQueued,
      retryAfterSeconds: r.retryAfterSeconds ?? base.retryAfterSeconds,
      releasePerSecond: r.releasePerSecond ?? base.releasePerSecond,
    });
  }
  return (realm) => byRealm.get(realm) ?? base;
}
