import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Metrics, Outcome } from '../metrics.js';
import { UNKNOWN_REALM_LABEL } from '../metrics.js';
import type { RealmRegistry } from '../realms/registry.js';
import type { Admission, AdmissionPolicy } from './admission.js';
import type { RefusalReason } from './reject.js';
import type { PreAdmissionBudget } from './budget.js';
import type { Tunnels } from './tunnels.js';
import type { WarningAggregator } from './warning-aggregator.js';
import type { Upstream } from './tunnel.js';
import { SlotSet } from './slot-set.js';

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
  /** Its slot in ctx.pending, -1 while not in it: written by PendingClients only. */
  pendingSlot: number;
}

/**
 * The accepted clients neither queued nor tunnelled yet (drain and destroy reach them here).
 * Every HELLO-peek and RawSocket client joins and leaves it: array slots, not a Set (slot-set.ts
 * says why). add() and delete() are idempotent, so each end path may call delete().
 */
export class PendingClients {
  readonly #clients = new SlotSet<PendingClient>();

  get size(): number {
    return this.#clients.size;
  }

  add(c: PendingClient): void {
    if (!this.#clients.has(c.pendingSlot, c)) c.pendingSlot = this.#clients.add(c);
  }

  delete(c: PendingClient): void {
    if (this.#clients.delete(c.pendingSlot, c)) c.pendingSlot = -1;
  }

  /** The clients now, as a copy (answering or destroying one removes it). */
  values(): PendingClient[] {
    return this.#clients.values();
  }
}

/** What every client-facing handler (upgrade, HELLO peek) shares. */
export interface GateContext {
  clock: Clock;
  pending: PendingClients;
  /** The one memory budget for everything held before admission (any front-end charges it). */
  budget: PreAdmissionBudget;
  /** Per-client warnings, aggregated and rate-limited (never one log line per client). */
  warnings: WarningAggregator;
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

export const outcomeForReject: Record<RefusalReason, Outcome> = {
  realm_not_ready: 'rejected_not_ready',
  queue_full: 'rejected_queue_full',
  queue_timeout: 'queue_timeout',
  draining: 'draining',
  overload: 'rejected_overload',
  realm_not_served: 'rejected_not_served',
  upstream_unavailable: 'upstream_error',
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
