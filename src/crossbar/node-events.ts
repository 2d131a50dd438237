/**
 * The master's event topics the crossbar source subscribes to (crossbar-facts §2, §10), and the
 * parsers for their payloads. All are published in the management realm.
 *
 * Worker-level topics embed the node authid: `crossbarfabriccenter.node.<authid>.worker.<id>.<event>`.
 * The default authid is the host name, which may contain dots, and a WAMP wildcard pattern
 * matches only topics with the same number of components. So the patterns are built per node
 * with the authid written out (`crossbarfabriccenter.node.edge1.example.com.worker..on_…`): an
 * empty component then stands only for the worker id, and a dotted authid matches exactly.
 */

/** Topics published by the mrealm controller and the arealm manager (no authid inside). */
export const MrealmTopics = {
  nodeReady: 'crossbarfabriccenter.mrealm.on_node_ready',
  nodeShutdown: 'crossbarfabriccenter.mrealm.on_node_shutdown',
  tick: 'crossbarfabriccenter.mrealm.on_tick',
  arealmStarting: 'crossbarfabriccenter.mrealm.arealm.on_arealm_starting',
  arealmStarted: 'crossbarfabriccenter.mrealm.arealm.on_arealm_started',
} as const;

/** Worker-level events of one node that matter for readiness. */
export const WorkerEvents = ['on_proxy_route_started', 'on_proxy_route_stopped', 'on_worker_ready'] as const;
export type WorkerEvent = (typeof WorkerEvents)[number];

/** The wildcard pattern for `event` of any worker of node `authid` (dots in the authid kept). */
export function workerEventPattern(authid: string, event: WorkerEvent): string {
  return `crossbarfabriccenter.node.${authid}.worker..${event}`;
}

/**
 * Whether `authid` can be written into a topic or URI: non-empty dot-separated components
 * without whitespace or `#` (WAMP's loose URI rule). Crossbar builds the node's URIs the same
 * way, so an authid failing this cannot be addressed by the master either.
 */
export function isUsableNodeAuthid(authid: string): boolean {
  return authid.length > 0 && authid.length <= 200 && authid.split('.').every((c) => c.length > 0 && !/[\s#]/.test(c));
}

/**
 * `on_node_ready` / `on_node_shutdown` args `(node_id, node)`: is it about this node? Matches
 * the OID (first arg) or the node record's `authid`, whichever the master sends.
 */
export function isAboutNode(args: readonly unknown[], nodeOid: string | null, authid: string): boolean {
  const [id, node] = args;
  if (nodeOid !== null && id === nodeOid) return true;
  if (id === authid) return true;
  const rec = typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : {};
  return rec.authid === authid || (nodeOid !== null && rec.oid === nodeOid);
}

/** `on_arealm_starting|started` payload `{oid, status, …}` (no name): the OID, or null. */
export function arealmEventOid(args: readonly unknown[]): string | null {
  const p = args[0];
  if (typeof p === 'object' && p !== null && typeof (p as { oid?: unknown }).oid === 'string') return (p as { oid: string }).oid;
  return null;
}
