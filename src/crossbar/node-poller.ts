import { ErrorCodes, RealmgateError } from '../errors.js';
import {
  ACTIVE_AREALM_STATUSES,
  MasterProcedures as P,
  parseArealm,
  parseArealmList,
  parseNode,
  parseProxyRoutes,
  parseRealmRouteRoles,
  parseWebcluster,
  parseWebclusterNode,
  parseWorker,
} from './answers.js';
import { wampErrorUri } from './management-client.js';
import { proxyWorkerIds, type WorkerState } from './proxy-routes.js';

/**
 * The master calls of one poll (crossbar-facts §2 "suggested readiness query"), kept apart
 * from connection handling so they read like the recipe: resolve node and webcluster, derive
 * worker ids, then per worker `get_worker` + `get_proxy_routes` (+ optional role check).
 */

/** Calls a master procedure with positional args (UUIDs as strings). */
export type MasterCall = (procedure: string, args?: unknown[]) => Promise<unknown>;

/** This node's place in its webcluster. */
export interface NodeTopology {
  node: string;
  nodeOid: string;
  webcluster: string;
  webclusterOid: string;
  parallel: number | null;
  standby: boolean;
  workerIds: string[];
  /** `get_node_by_authid().status` at resolution time ("online" | "offline"), null if absent. */
  status: string | null;
}

const NO_SUCH_OBJECT = 'crossbar.error.no_such_object';
const NO_SUCH_PROCEDURE = 'wamp.error.no_such_procedure';

/**
 * A `remote.*` call answered `wamp.error.no_such_procedure`: the master has no callee for the
 * node's URIs because the node controller is not connected (stopped, restarting, or back less
 * than ~1 s ago; crossbar-facts §10). That is an answer about the node, not a master failure.
 */
export function isNodeGone(err: unknown): boolean {
  return wampErrorUri(err) === NO_SUCH_PROCEDURE;
}

/** The node's live status from `get_node_by_authid` ("online" | "offline" | null if absent). */
export async function readNodeStatus(call: MasterCall, nodeAuthid: string): Promise<string | null> {
  const answer = await orNull(call(P.getNodeByAuthid, [nodeAuthid]), NO_SUCH_OBJECT);
  if (answer === null) throw notFound(`node "${nodeAuthid}" is not known to the master (${P.getNodeByAuthid})`);
  return parseNode(answer).status;
}
const NO_SUCH_WORKER = 'crossbar.error.no_such_worker';

function notFound(what: string): RealmgateError {
  return new RealmgateError(ErrorCodes.SOURCE_FAILED, what);
}

/** Resolves node OID, webcluster OID and this node's membership (parallel/standby). */
export async function resolveTopology(call: MasterCall, nodeAuthid: string, webclusterName: string): Promise<NodeTopology> {
  const nodeAnswer = await orNull(call(P.getNodeByAuthid, [nodeAuthid]), NO_SUCH_OBJECT);
  if (nodeAnswer === null) throw notFound(`node "${nodeAuthid}" is not known to the master (${P.getNodeByAuthid})`);
  const node = parseNode(nodeAnswer);
  const wcAnswer = await orNull(call(P.getWebclusterByName, [webclusterName]), NO_SUCH_OBJECT);
  if (wcAnswer === null) throw notFound(`webcluster "${webclusterName}" is not known to the master (${P.getWebclusterByName})`);
  const wc = parseWebcluster(wcAnswer);
  const memberAnswer = await orNull(call(P.getWebclusterNode, [wc.oid, node.oid]), NO_SUCH_OBJECT);
  if (memberAnswer === null) throw notFound(`node "${nodeAuthid}" is not a member of webcluster "${webclusterName}"`);
  const member = parseWebclusterNode(memberAnswer);
  return {
    node: nodeAuthid,
    nodeOid: node.oid,
    webcluster: webclusterName,
    webclusterOid: wc.oid,
    parallel: member.parallel,
    standby: member.standby,
    workerIds: proxyWorkerIds(wc.oid, member.parallel, member.standby),
    status: node.status,
  };
}

/**
 * One worker's state. A worker that does not exist yet (`no_such_worker`) or is not `started`
 * has no routes that matter; routes are only fetched from started workers.
 * @param requiredRoles when non-empty, fetch each listed realm's route roles.
 */
export async function pollWorker(
  call: MasterCall,
  nodeOid: string,
  workerId: string,
  requiredRoles: readonly string[],
): Promise<WorkerState> {
  const answer = await orNull(call(P.getWorker, [nodeOid, workerId]), NO_SUCH_WORKER);
  if (answer === null) return { id: workerId, status: null, routes: null };
  const worker = parseWorker(answer);
  if (worker.status !== 'started') return { id: workerId, status: worker.status, routes: null };
  const routes = parseProxyRoutes(await call(P.getProxyRoutes, [nodeOid, workerId]));
  if (requiredRoles.length === 0) return { id: workerId, status: worker.status, routes };
  const roles: Record<string, string[]> = {};
  for (const realm of routes) {
    const list = await orNull(call(P.listProxyRealmRoutes, [nodeOid, workerId, realm]), NO_SUCH_OBJECT);
    roles[realm] = list === null ? [] : parseRealmRouteRoles(list);
  }
  return { id: workerId, status: worker.status, routes, roles };
}

/**
 * The application realms this webcluster serves: arealms whose `webcluster_oid` is ours and
 * whose status is STARTING or RUNNING (the statuses the arealm monitor places routes for).
 * RUNNING is *not* a readiness signal (crossbar-facts §2); this only says which realms to expect.
 */
export async function discoverArealms(call: MasterCall, webclusterOid: string): Promise<string[]> {
  const oids = parseArealmList(await call(P.listArealms, [false]));
  const arealms = await Promise.all(oids.map((oid) => orNull(call(P.getArealm, [oid]), NO_SUCH_OBJECT)));
  const names = new Set<string>();
  for (const a of arealms) {
    if (a === null) continue; // deleted between the two calls
    const arealm = parseArealm(a);
    if (arealm.webclusterOid === webclusterOid && ACTIVE_AREALM_STATUSES.includes(arealm.status)) names.add(arealm.name);
  }
  return [...names].sort();
}

/**
 * One arealm by OID (an `on_arealm_starting` event carries no name): its name when it is
 * placed on `webclusterOid` and STARTING/RUNNING, else null (other webcluster, deleted).
 */
export async function arealmOfWebcluster(call: MasterCall, oid: string, webclusterOid: string): Promise<string | null> {
  const a = await orNull(call(P.getArealm, [oid]), NO_SUCH_OBJECT);
  if (a === null) return null;
  const arealm = parseArealm(a);
  return arealm.webclusterOid === webclusterOid && ACTIVE_AREALM_STATUSES.includes(arealm.status) ? arealm.name : null;
}

/** Resolves to null (instead of rejecting) for the given WAMP error URI, and for a null answer. */
async function orNull(p: Promise<unknown>, errorUri: string): Promise<unknown> {
  try {
    return (await p) ?? null;
  } catch (err) {
    if (wampErrorUri(err) === errorUri) return null;
    throw err;
  }
}
