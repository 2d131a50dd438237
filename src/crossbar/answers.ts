import { ErrorCodes, RealmgateError } from '../errors.js';

/**
 * Shape checks for every master answer the crossbar source uses (crossbar-facts §2, §3).
 * A malformed answer throws SOURCE_MALFORMED naming the procedure, so /status says which
 * call went wrong instead of a TypeError deep in the poll loop. Fields the facts mark
 * (inferred) are read leniently: extra keys are ignored, and only what we use is required.
 */

export const MasterProcedures = {
  getNodeByAuthid: 'crossbarfabriccenter.mrealm.get_node_by_authid',
  getWebclusterByName: 'crossbarfabriccenter.mrealm.webcluster.get_webcluster_by_name',
  getWebclusterNode: 'crossbarfabriccenter.mrealm.webcluster.get_webcluster_node',
  listArealms: 'crossbarfabriccenter.mrealm.arealm.list_arealms',
  getArealm: 'crossbarfabriccenter.mrealm.arealm.get_arealm',
  getWorker: 'crossbarfabriccenter.remote.node.get_worker',
  getProxyRoutes: 'crossbarfabriccenter.remote.proxy.get_proxy_routes',
  listProxyRealmRoutes: 'crossbarfabriccenter.remote.proxy.list_proxy_realm_routes',
} as const;

/** Arealm statuses for which the master's arealm monitor places routes. */
export const ACTIVE_AREALM_STATUSES: readonly string[] = ['STARTING', 'RUNNING'];

function malformed(procedure: string, why: string): RealmgateError {
  return new RealmgateError(ErrorCodes.SOURCE_MALFORMED, `malformed answer from ${procedure}: ${why}`, {
    details: { procedure },
  });
}

function record(procedure: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed(procedure, 'expected an object');
  return v as Record<string, unknown>;
}

function str(procedure: string, o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw malformed(procedure, `"${key}" must be a non-empty string`);
  return v;
}

function stringList(procedure: string, v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw malformed(procedure, 'expected a list of strings');
  }
  return v;
}

/** `get_node_by_authid` → the node's OID (a UUID string) and live status. */
export function parseNode(v: unknown): { oid: string; authid: string; status: string | null } {
  const p = MasterProcedures.getNodeByAuthid;
  const o = record(p, v);
  return { oid: str(p, o, 'oid'), authid: str(p, o, 'authid'), status: typeof o.status === 'string' ? o.status : null };
}

/** `get_webcluster_by_name` → `{oid, name}`. */
export function parseWebcluster(v: unknown): { oid: string; name: string } {
  const p = MasterProcedures.getWebclusterByName;
  const o = record(p, v);
  return { oid: str(p, o, 'oid'), name: str(p, o, 'name') };
}

/** `get_webcluster_node` → `{parallel, standby}`; `parallel` may be null (= 1). */
export function parseWebclusterNode(v: unknown): { parallel: number | null; standby: boolean } {
  const p = MasterProcedures.getWebclusterNode;
  const o = record(p, v);
  const parallel = o.parallel;
  if (parallel !== null && parallel !== undefined && (typeof parallel !== 'number' || !Number.isInteger(parallel) || parallel < 0)) {
    throw malformed(p, '"parallel" must be a non-negative integer or null');
  }
  return { parallel: typeof parallel === 'number' ? parallel : null, standby: o.standby === true };
}

/** `get_worker` → `{id, type, status}`. */
export function parseWorker(v: unknown): { id: string; type: string | null; status: string } {
  const p = MasterProcedures.getWorker;
  const o = record(p, v);
  return { id: str(p, o, 'id'), type: typeof o.type === 'string' ? o.type : null, status: str(p, o, 'status') };
}

/** `get_proxy_routes` → sorted realm names with ≥1 route. */
export function parseProxyRoutes(v: unknown): string[] {
  return stringList(MasterProcedures.getProxyRoutes, v);
}

/** `list_proxy_realm_routes` → the role names mapped by any route's `config`. */
export function parseRealmRouteRoles(v: unknown): string[] {
  const p = MasterProcedures.listProxyRealmRoutes;
  if (!Array.isArray(v)) throw malformed(p, 'expected a list of route objects');
  const roles = new Set<string>();
  for (const route of v) {
    const config = record(p, record(p, route).config);
    for (const role of Object.keys(config)) roles.add(role);
  }
  return [...roles].sort();
}

/** `list_arealms` → arealm OIDs. */
export function parseArealmList(v: unknown): string[] {
  return stringList(MasterProcedures.listArealms, v);
}

/** `get_arealm` → `{oid, name, status, webclusterOid}` (webcluster_oid may be null). */
export function parseArealm(v: unknown): { oid: string; name: string; status: string; webclusterOid: string | null } {
  const p = MasterProcedures.getArealm;
  const o = record(p, v);
  const wc = o.webcluster_oid;
  if (wc !== null && wc !== undefined && typeof wc !== 'string') throw malformed(p, '"webcluster_oid" must be a string or null');
  return { oid: str(p, o, 'oid'), name: str(p, o, 'name'), status: str(p, o, 'status'), webclusterOid: wc ?? null };
}
