/**
 * Pure readiness logic for a Crossbar webcluster node (crossbar-facts §2, §3, §9).
 *
 * All `parallel` proxy workers of a node share one port (SO_REUSEPORT), and the kernel picks
 * the worker for each client. So a realm is ready on this node only when **every started
 * worker** has a route for it; one worker with routes out of two still refuses half the clients.
 */

/** What the source knows about one proxy worker after a poll. */
export interface WorkerState {
  /** `cpw-<webcluster_oid[:8]>-<i>` */
  id: string;
  /** `get_worker().status` ("starting" | "connected" | "started"), or null if unknown / no such worker. */
  status: string | null;
  /** `get_proxy_routes()` result: realms with ≥1 route; null if not fetched yet. */
  routes: readonly string[] | null;
  /**
   * Per realm, the role names the realm's routes map (from `list_proxy_realm_routes`).
   * Only consulted when roles are required.
   */
  roles?: Readonly<Record<string, readonly string[]>>;
}

/** Worker ids the webcluster monitor starts on a member node: `range(parallel or 1)`. */
export function proxyWorkerIds(webclusterOid: string, parallel: number | null | undefined, standby = false): string[] {
  // Standby members get no proxy workers (WebClusterMonitor._check_and_apply).
  if (standby) return [];
  const n = parallel && parallel > 0 ? parallel : 1;
  const prefix = `cpw-${webclusterOid.slice(0, 8)}-`;
  return Array.from({ length: n }, (_, i) => prefix + String(i));
}

/** Only `started` workers accept clients; `starting`/`connected` ones do not listen yet. */
export function isStarted(w: WorkerState): boolean {
  return w.status === 'started';
}

/**
 * Per realm readiness of this node.
 * @param workers every expected worker of this node (started or not).
 * @param knownRealms realms to answer for even if no worker lists them (discovered arealms).
 * @param requiredRoles when non-empty, a worker counts only if its routes for the realm map
 *   every one of these roles (a client with another role gets `no_such_role`).
 * @returns a complete answer: knownRealms ∪ realms any started worker lists. With no started
 *   worker nothing is ready.
 */
export function computeReadiness(
  workers: readonly WorkerState[],
  knownRealms: readonly string[] = [],
  requiredRoles: readonly string[] = [],
): Record<string, boolean> {
  const started = workers.filter(isStarted);
  const realms = new Set(knownRealms);
  for (const w of started) for (const r of w.routes ?? []) realms.add(r);
  const out: Record<string, boolean> = {};
  for (const realm of [...realms].sort()) {
    out[realm] = started.length > 0 && started.every((w) => workerServes(w, realm, requiredRoles));
  }
  return out;
}

function workerServes(w: WorkerState, realm: string, requiredRoles: readonly string[]): boolean {
  if (w.routes === null || !w.routes.includes(realm)) return false;
  if (requiredRoles.length === 0) return true;
  const roles = w.roles?.[realm];
  return roles !== undefined && requiredRoles.every((r) => roles.includes(r));
}

/**
 * Realms some started workers route and others do not: the kernel hands a client to any of
 * them, so a client has a fair chance of meeting a routed worker (crossbar-facts §10: the arealm
 * monitor re-added routes on one worker of two and not the other for over a minute).
 */
export function partialRealms(workers: readonly WorkerState[], requiredRoles: readonly string[] = []): string[] {
  const started = workers.filter(isStarted);
  const realms = new Set<string>();
  for (const w of started) for (const r of w.routes ?? []) realms.add(r);
  const out: string[] = [];
  for (const realm of [...realms].sort()) {
    const serving = started.filter((w) => workerServes(w, realm, requiredRoles)).length;
    if (serving > 0 && serving < started.length) out.push(realm);
  }
  return out;
}

/** What a worker-level event topic says, for one node (see node-events.ts for the topics). */
export interface WorkerEventTopic {
  nodeAuthid: string;
  workerId: string;
  /** The last URI component, e.g. `on_proxy_route_started`. */
  event: string;
}

/**
 * Parses `crossbarfabriccenter.node.<node_authid>.worker.<worker_id>.<event>`. A node authid
 * may contain dots (the default authid is the host name), so the topic is split from both
 * ends: worker ids (`cpw-…-i`, `wg1_1`) and event names never contain a dot, whatever is
 * between `node.` and `.worker.<id>.<event>` is the authid.
 * @returns null for any other topic.
 */
export function parseWorkerEventTopic(topic: string): WorkerEventTopic | null {
  const m = /^crossbarfabriccenter\.node\.(.+)\.worker\.([^.]+)\.([^.]+)$/.exec(topic);
  if (m === null || m[1] === undefined || m[2] === undefined || m[3] === undefined) return null;
  if (m[1].split('.').some((c) => c === '')) return null;
  return { nodeAuthid: m[1], workerId: m[2], event: m[3] };
}

/**
 * Parses the topic of a forwarded route event,
 * `crossbarfabriccenter.node.<node_authid>.worker.<worker_id>.on_proxy_route_started|stopped`.
 * @returns null for any other topic.
 */
export function parseRouteEventTopic(
  topic: string,
): { nodeAuthid: string; workerId: string; started: boolean } | null {
  const t = parseWorkerEventTopic(topic);
  if (t === null || (t.event !== 'on_proxy_route_started' && t.event !== 'on_proxy_route_stopped')) return null;
  return { nodeAuthid: t.nodeAuthid, workerId: t.workerId, started: t.event === 'on_proxy_route_started' };
}

/** The realm named by a route event payload (route `marshal()`: `{realm, id, config, ...}`). */
export function routeEventRealm(payload: unknown): string | null {
  if (typeof payload === 'object' && payload !== null && typeof (payload as { realm?: unknown }).realm === 'string') {
    return (payload as { realm: string }).realm;
  }
  return null;
}
