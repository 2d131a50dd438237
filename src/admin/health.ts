import type { Admission } from '../proxy/admission.js';
import type { RealmRegistry } from '../realms/registry.js';

export interface RealmHealth {
  ready: boolean;
  since: string;
  queued: number;
  source: string;
  required: boolean;
}

export interface ReadyReport {
  ready: boolean;
  draining: boolean;
  realms: Record<string, RealmHealth>;
}

/**
 * The gate is ready when it is not draining and every required realm is
 * ready. With no realm known yet (discovery pending), it is ready only once
 * every source has answered: an empty list must not read as "all ready".
 */
export function readyReport(registry: RealmRegistry, admission: Admission, draining: boolean): ReadyReport {
  const realms: Record<string, RealmHealth> = {};
  let allRequired = true;
  const views = registry.realms();
  for (const r of views) {
    realms[r.name] = {
      ready: r.ready,
      since: new Date(r.since).toISOString(),
      queued: admission.depth(r.name),
      source: r.source,
      required: r.required,
    };
    if (r.required && !r.ready) allRequired = false;
  }
  if (views.length === 0 && !registry.sources().every((s) => s.lastSuccess !== null)) allRequired = false;
  return { ready: allRequired && !draining, draining, realms };
}
