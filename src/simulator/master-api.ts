/**
 * A simulated Crossbar master node, as far as realmgate sees it (shared/crossbar-facts.md §1–§3):
 * WAMP-cryptosign on `ws://…/ws` with the master's authenticator rules, the management realm
 * (mrealm) procedures with their real URIs, argument types (UUIDs as strings) and result shapes,
 * and the per-worker route events the node uplinks republish. Used by tests and the demo.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { verifyCryptosign } from '../crossbar/cryptosign.js';
import { silentLogger, type Logger } from '../logger.js';
import { WampError, WampRouter, type HelloContext, type HelloDecision } from './wamp-router.js';

export interface SimNode { authid: string; oid: string; pubkey?: string; status?: 'online' | 'offline' }
export interface SimWebclusterMember { nodeAuthid: string; parallel: number | null; standby?: boolean }
export interface SimWebcluster { name: string; oid: string; members: SimWebclusterMember[] }
export interface SimArealm { name: string; oid: string; webclusterOid: string | null; status: string }
/** A user principal: matched by authid + pubkey, holding `role` on the mrealm. */
export interface SimUser { authid: string; pubkey: string; role?: string }

export interface SimulatedMasterOptions {
  /** Management realm name; default `default`. */
  mrealm?: string;
  /** Public keys (hex) accepted as superuser (authid `superuser`, role as requested, else owner). */
  superusers?: string[];
  users?: SimUser[];
  nodes?: SimNode[];
  webclusters?: SimWebcluster[];
  arealms?: SimArealm[];
  /** Status of each proxy worker the webcluster "monitor" created; default `started`; null = no workers yet. */
  initialWorkerStatus?: string | null;
  /** `crossbarfabriccenter.mrealm.on_tick` period while listening, ms; default 5000 (as the real master); 0 = none. */
  tickMs?: number;
  logger?: Logger;
}

/** Route dict as `ProxyRoute.marshal()` returns it; `state` 3 = started, 6 = stopped. */
export interface SimRoute { realm: string; id: string; config: Record<string, string>; started: number | null; stopped: number | null; state: number }
export type FaultMode = string | 'malformed' | 'hang';

interface SimWorker { id: string; pid: number; status: string; created: string; routes: SimRoute[]; counter: number }

const P = 'crossbarfabriccenter.';
const NO_SUCH_OBJECT = 'crossbar.error.no_such_object';
const NOT_AUTHORIZED = 'wamp.error.not_authorized';
const INVALID_PARAMS = 'fabric.auth-failed.invalid-parameters';
/** Roles the authenticator knows for a non-global realm; only `owner` is also started on the mrealm. */
const REQUESTABLE_ROLES = ['guest', 'developer', 'operator', 'admin', 'owner'];
const NO_SUCH_PROCEDURE = 'wamp.error.no_such_procedure';
const nowNs = (): number => Date.now() * 1_000_000;

export class SimulatedMaster extends EventEmitter {
  readonly mrealm: string;
  /** Every procedure URI called, in order (for asserting what the client asked). */
  readonly calls: string[] = [];
  /** Every HELLO received: realm and details (for asserting what the client requested). */
  readonly hellos: { realm: string | null; details: Record<string, unknown> }[] = [];
  private readonly superusers: Set<string>;
  private readonly users: SimUser[];
  private readonly nodes: SimNode[];
  private readonly webclusters: SimWebcluster[];
  private readonly arealms: SimArealm[];
  private readonly workers = new Map<string, Map<string, SimWorker>>();
  private readonly faults = new Map<string, FaultMode>();
  private readonly logger: Logger;
  private readonly started = Date.now();
  private router: WampRouter | null = null;
  private lastPort: number | undefined;
  /** Nodes whose controller has no registrations on the master (stopped, or back < ~1 s). */
  private readonly unregistered = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly tickMs: number;
  private tickTimer: NodeJS.Timeout | undefined;
  private ticks = 0;

  constructor(opts: SimulatedMasterOptions = {}) {
    super();
    this.mrealm = opts.mrealm ?? 'default';
    this.superusers = new Set((opts.superusers ?? []).map((k) => k.toLowerCase()));
    this.users = opts.users ?? [];
    this.nodes = opts.nodes ?? [];
    this.webclusters = opts.webclusters ?? [];
    this.arealms = opts.arealms ?? [];
    this.logger = opts.logger ?? silentLogger();
    this.tickMs = opts.tickMs ?? 5000;
    if (opts.initialWorkerStatus === null) return;
    // What the webcluster monitor does: cpw-<wc8>-<i> for i < (parallel or 1) on non-standby members.
    for (const wc of this.webclusters) {
      for (const m of wc.members) {
        if (m.standby) continue;
        for (let i = 0; i < (m.parallel || 1); i++) this.ensureWorker(m.nodeAuthid, `cpw-${wc.oid.slice(0, 8)}-${i}`, opts.initialWorkerStatus ?? 'started');
      }
    }
  }

  /** Starts (or restarts, with the same `port`) the master's WAMP endpoint on 127.0.0.1, path `/ws`. */
  async listen(opts: { port?: number } = {}): Promise<{ port: number; url: string }> {
    if (this.router !== null) throw new Error('SimulatedMaster already listening');
    const router = new WampRouter({ subprotocols: ['wamp.2.json', 'wamp.2.msgpack', 'wamp.2.cbor'], onHello: (ctx) => this.authenticate(ctx), logger: this.logger });
    this.registerAll(router);
    this.router = router;
    try {
      const { port } = await router.listen({ port: opts.port ?? this.lastPort ?? 0, host: '127.0.0.1', path: '/ws' });
      this.lastPort = port;
      if (this.tickMs > 0) {
        this.tickTimer = setInterval(() => {
          this.ticks += 1;
          this.router?.publish(this.mrealm, `${P}mrealm.on_tick`, [{ now: new Date().toISOString(), tick: this.ticks }]);
        }, this.tickMs);
        this.tickTimer.unref();
      }
      return { port, url: `ws://127.0.0.1:${port}/ws` };
    } catch (err) {
      this.router = null;
      router.destroy();
      throw err;
    }
  }

  /** Master down: closes every session (1001) and the listener. State (workers, routes) is kept. */
  async stop(): Promise<void> {
    clearInterval(this.tickTimer);
    const router = this.router;
    this.router = null;
    await router?.close();
  }

  close(): Promise<void> {
    return this.stop();
  }

  destroy(): void {
    clearInterval(this.tickTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const router = this.router;
    this.router = null;
    router?.destroy();
  }

  /** Number of sessions joined right now. */
  sessions(): number {
    return this.router?.stats().sessions ?? 0;
  }

  /** Sets a worker's status (`starting`/`connected`/`started`); null removes it (→ no_such_worker). */
  setWorkerStatus(nodeAuthid: string, workerId: string, status: string | null): void {
    if (status === null) {
      this.workers.get(nodeAuthid)?.delete(workerId);
      return;
    }
    this.ensureWorker(nodeAuthid, workerId, status).status = status;
  }

  /**
   * The node process stops (crossbar-facts §10): at once every `remote.*` call for it answers
   * `wamp.error.no_such_procedure` and its workers (with their routes) are gone; `status` turns
   * "offline" and `on_node_shutdown` (node_oid, node) is published `offlineAfterMs` later
   * (a real master: < 0.5 s).
   */
  stopNode(authid: string, offlineAfterMs = 300): void {
    const n = this.nodeByAuthid(authid);
    this.unregistered.add(authid);
    this.workers.delete(authid);
    this.later(offlineAfterMs, () => {
      if (!this.unregistered.has(authid)) return;
      n.status = 'offline';
      this.router?.publish(this.mrealm, `${P}mrealm.on_node_shutdown`, [n.oid, nodeRecord(n, this.mrealm)]);
    });
  }

  /**
   * The node process is back: `status` "online" and `on_node_ready` now; its `remote.*`
   * procedures answer again `procedureDelayMs` later (the controller re-registers ~1 s after).
   * It has no workers until startWorker().
   */
  startNode(authid: string, procedureDelayMs = 1000): void {
    const n = this.nodeByAuthid(authid);
    n.status = 'online';
    this.router?.publish(this.mrealm, `${P}mrealm.on_node_ready`, [n.oid, nodeRecord(n, this.mrealm)]);
    this.later(procedureDelayMs, () => {
      if (n.status === 'online') this.unregistered.delete(authid);
    });
  }

  /** Whether the node's remote procedures are answered now. */
  nodeAnswers(authid: string): boolean {
    return !this.unregistered.has(authid);
  }

  /** The webcluster monitor starts a proxy worker: `status` as given; `started` publishes `…on_worker_ready`. */
  startWorker(nodeAuthid: string, workerId: string, status = 'started'): void {
    const w = this.ensureWorker(nodeAuthid, workerId, status);
    w.status = status;
    if (status === 'started') {
      this.router?.publish(this.mrealm, `${P}node.${nodeAuthid}.worker.${workerId}.on_worker_ready`, [{ type: 'proxy', id: workerId, pid: w.pid }]);
    }
  }

  /** Adds an arealm (as `create_arealm` would), STOPPED unless a status is given. */
  addArealm(a: SimArealm): void {
    if (!this.arealms.some((x) => x.oid === a.oid)) this.arealms.push(a);
  }

  /**
   * `start_arealm`: STARTING and `on_arealm_starting` {oid, status, router_workergroup_oid,
   * changed, who} (no name), then RUNNING and `on_arealm_started` after `runningAfterMs` —
   * before any route exists, as measured on a real master. Routes are the caller's business.
   */
  startArealm(name: string, runningAfterMs = 150): void {
    const a = this.arealms.find((x) => x.name === name);
    if (!a) throw new Error(`no arealm named ${name}`);
    a.status = 'STARTING';
    this.router?.publish(this.mrealm, `${P}mrealm.arealm.on_arealm_starting`, [
      { oid: a.oid, status: 'STARTING', router_workergroup_oid: workergroupOidFor(a.oid), changed: nowNs(), who: { session: 1, authid: 'superuser', authrole: 'owner' } },
    ]);
    this.later(runningAfterMs, () => {
      if (a.status !== 'STARTING') return;
      a.status = 'RUNNING';
      this.router?.publish(this.mrealm, `${P}mrealm.arealm.on_arealm_started`, [{ oid: a.oid, status: 'RUNNING', changed: nowNs() }]);
    });
  }

  /** Names of the arealms in STARTING or RUNNING placed on `webclusterOid`. */
  activeArealms(webclusterOid: string): string[] {
    return this.arealms.filter((a) => a.webclusterOid === webclusterOid && (a.status === 'STARTING' || a.status === 'RUNNING')).map((a) => a.name);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private nodeByAuthid(authid: string): SimNode {
    const n = this.nodes.find((x) => x.authid === authid);
    if (!n) throw new Error(`no node ${authid}`);
    return n;
  }

  /** What `start_proxy_realm_route` does on the proxy: adds a route and publishes `…on_proxy_route_started`. */
  startRoute(nodeAuthid: string, workerId: string, realm: string, config: Record<string, string> = { anonymous: `cnc_router1_${realm}` }): SimRoute {
    const w = this.ensureWorker(nodeAuthid, workerId, 'started');
    const route: SimRoute = { realm, id: `route${String(w.counter++).padStart(3, '0')}`, config, started: nowNs(), stopped: null, state: 3 };
    const topic = `${P}node.${nodeAuthid}.worker.${workerId}.on_proxy_route_`;
    this.router?.publish(this.mrealm, `${topic}starting`, [{ ...route, started: null, state: 2 }]);
    w.routes.push(route);
    this.router?.publish(this.mrealm, `${topic}started`, [route]);
    this.emit('route', { node: nodeAuthid, worker: workerId, realm, started: true });
    return route;
  }

  /** Stops the realm's routes on a worker (or just `routeId`), publishing `…on_proxy_route_stopped` for each. */
  stopRoute(nodeAuthid: string, workerId: string, realm: string, routeId?: string): SimRoute[] {
    const w = this.workers.get(nodeAuthid)?.get(workerId);
    if (!w) return [];
    const gone = w.routes.filter((r) => r.realm === realm && (routeId === undefined || r.id === routeId));
    w.routes = w.routes.filter((r) => !gone.includes(r));
    for (const r of gone) {
      Object.assign(r, { started: null, stopped: nowNs(), state: 6 });
      this.router?.publish(this.mrealm, `${P}node.${nodeAuthid}.worker.${workerId}.on_proxy_route_stopped`, [r]);
    }
    if (gone.length > 0) this.emit('route', { node: nodeAuthid, worker: workerId, realm, started: false });
    return gone;
  }

  /** Sorted realms with ≥1 route on a worker (what `get_proxy_routes` answers). */
  routes(nodeAuthid: string, workerId: string): string[] {
    const w = this.workers.get(nodeAuthid)?.get(workerId);
    return w ? [...new Set(w.routes.map((r) => r.realm))].sort() : [];
  }

  /** Changes an arealm's status (e.g. STOPPED → STARTING). */
  setArealmStatus(name: string, status: string): void {
    const a = this.arealms.find((x) => x.name === name);
    if (a) a.status = status;
  }

  /**
   * Fault injection for `uri`: a WAMP error URI to raise, `malformed` for a wrongly shaped
   * answer, `hang` for no answer at all; null clears it.
   */
  failProcedure(uri: string, mode: FaultMode | null): void {
    if (mode === null) this.faults.delete(uri);
    else this.faults.set(uri, mode);
  }

  private ensureWorker(nodeAuthid: string, id: string, status: string): SimWorker {
    let byId = this.workers.get(nodeAuthid);
    if (!byId) this.workers.set(nodeAuthid, (byId = new Map()));
    let w = byId.get(id);
    if (!w) byId.set(id, (w = { id, pid: 10_000 + Math.floor(Math.random() * 50_000), status, created: new Date().toISOString(), routes: [], counter: 0 }));
    return w;
  }

  /** The master's dynamic cryptosign authenticator (crossbar-facts §1), then the router's signature check. */
  private authenticate(ctx: HelloContext): HelloDecision {
    const d = ctx.details;
    this.hellos.push({ realm: ctx.realm, details: d });
    const methods = Array.isArray(d.authmethods) ? d.authmethods : [];
    if (!methods.includes('cryptosign')) return abort(INVALID_PARAMS, `invalid authmethods ${JSON.stringify(methods)} - only "cryptosign" is allowed`);
    const extra = (typeof d.authextra === 'object' && d.authextra !== null ? d.authextra : {}) as Record<string, unknown>;
    const pubkey = typeof extra.pubkey === 'string' ? extra.pubkey.toLowerCase() : '';
    if (!/^[0-9a-f]{64}$/.test(pubkey)) return abort(INVALID_PARAMS, 'authextra.pubkey (64 hex chars) is mandatory');
    if (extra.channel_binding !== undefined && extra.channel_binding !== null && extra.channel_binding !== 'tls-unique') {
      return abort(NOT_AUTHORIZED, `invalid channel binding type "${String(extra.channel_binding)}" requested`);
    }
    // The real authenticator concatenates authid + pubkey before the superuser check: a null authid fails.
    if (typeof d.authid !== 'string') return abort('wamp.error.authentication_failed', 'authid is required');
    if (ctx.realm !== this.mrealm) return abort('wamp.error.no_such_realm', `no realm "${String(ctx.realm)}" exists on this router`);
    const requested = typeof d.authrole === 'string' ? d.authrole : null;
    if (requested !== null && !REQUESTABLE_ROLES.includes(requested)) return abort(INVALID_PARAMS, `invalid authrole "${requested}" requested`);
    let authid: string;
    let role: string;
    if (this.superusers.has(pubkey)) {
      authid = 'superuser';
      role = requested ?? 'owner';
    } else {
      const user = this.users.find((u) => u.authid === d.authid && u.pubkey.toLowerCase() === pubkey);
      if (!user) return abort(NOT_AUTHORIZED, `no principal with authid "${d.authid}" and this public key`);
      authid = user.authid;
      role = requested ?? user.role ?? 'owner';
      if (role !== (user.role ?? 'owner')) return abort(NOT_AUTHORIZED, `principal has no role "${role}" on realm "${this.mrealm}"`);
    }
    // Only owner, backend, node and public are started on an mrealm realm.
    if (role !== 'owner') return abort('wamp.error.no_such_role', `realm "${this.mrealm}" has no role "${role}"`);
    const challenge = randomBytes(32).toString('hex');
    return {
      challenge: { method: 'cryptosign', extra: { challenge, channel_binding: null } },
      authenticate: (signature) =>
        verifyCryptosign(pubkey, challenge, signature)
          ? { welcome: { authid, authrole: role, authmethod: 'cryptosign', authprovider: 'dynamic', authextra: { pubkey } } }
          : abort(NOT_AUTHORIZED, 'WAMP-Cryptosign signature is invalid: signed message has invalid signature'),
    };
  }

  private registerAll(router: WampRouter): void {
    const reg = (uri: string, types: string, fn: (...args: unknown[]) => unknown): void =>
      router.register(this.mrealm, P + uri, async (args) => {
        this.calls.push(P + uri);
        this.emit('call', P + uri, args);
        checkTypes(P + uri, types, args);
        const fault = this.faults.get(P + uri);
        if (fault === 'hang') return new Promise(() => undefined);
        if (fault === 'malformed') return { args: [42] };
        if (fault !== undefined) throw new WampError(fault, [`injected fault on ${P + uri}`]);
        // Always a single positional result, as autobahn-python returns a Python value.
        return { args: [await fn(...args)] };
      });
    const node = (oid: unknown): SimNode => this.nodes.find((n) => n.oid === oid) ?? raise(NO_SUCH_OBJECT, `no node with oid ${String(oid)}`);
    // The master forwards remote.* to the node's own URIs; with the node controller gone nobody is registered there.
    const answering = (oid: unknown, target: string): SimNode => {
      const n = node(oid);
      if (this.unregistered.has(n.authid)) raise(NO_SUCH_PROCEDURE, `no callee registered for procedure <${P}node.${n.authid}.${target}>`);
      return n;
    };
    const worker = (nodeOid: unknown, wid: unknown, proc: string): SimWorker =>
      this.workers.get(answering(nodeOid, `worker.${String(wid)}.${proc}`).authid)?.get(wid as string) ?? raise('crossbar.error.no_such_worker', `no worker with ID "${String(wid)}"`);
    const wcOf = (oid: unknown): SimWebcluster => this.webclusters.find((w) => w.oid === oid) ?? raise(NO_SUCH_OBJECT, `no webcluster with oid ${String(oid)}`);
    const uptime = (): number => (Date.now() - this.started) / 1000;

    reg('mrealm.get_status', '', () => ({ type: 'management', realm: this.mrealm, now: new Date().toISOString(), started: new Date(this.started).toISOString(), uptime: uptime(), tick: Math.floor(uptime() / 5) }));
    reg('mrealm.get_nodes', 's?b?', (status, names) =>
      this.nodes.filter((n) => !status || (n.status ?? 'online') === status).map((n) => (names ? n.authid : n.oid)));
    reg('mrealm.get_node', 's', (oid) => nodeRecord(node(oid), this.mrealm));
    reg('mrealm.get_node_by_authid', 's', (authid) =>
      nodeRecord(this.nodes.find((n) => n.authid === authid) ?? raise(NO_SUCH_OBJECT, `no node with authid "${String(authid)}"`), this.mrealm));
    reg('mrealm.webcluster.list_webclusters', 'b?', (names) => this.webclusters.map((w) => (names ? w.name : w.oid)));
    reg('mrealm.webcluster.get_webcluster', 's', (oid) => webclusterRecord(wcOf(oid)));
    reg('mrealm.webcluster.get_webcluster_by_name', 's', (name) =>
      webclusterRecord(this.webclusters.find((w) => w.name === name) ?? raise(NO_SUCH_OBJECT, `no webcluster named "${String(name)}"`)));
    reg('mrealm.webcluster.list_webcluster_nodes', 's b? s?', (oid, names) =>
      wcOf(oid).members.map((m) => (names ? m.nodeAuthid : (this.nodes.find((n) => n.authid === m.nodeAuthid)?.oid ?? ''))));
    reg('mrealm.webcluster.get_webcluster_node', 's s', (wcOid, nodeOid) => {
      const n = node(nodeOid);
      const m = wcOf(wcOid).members.find((x) => x.nodeAuthid === n.authid) ?? raise(NO_SUCH_OBJECT, `node ${n.oid} is not in webcluster ${String(wcOid)}`);
      return { cluster_oid: wcOid, node_oid: n.oid, parallel: m.parallel, standby: m.standby ?? false };
    });
    reg('mrealm.arealm.list_arealms', 'b?', (names) => (names ? this.arealms.map((a) => a.name).sort() : this.arealms.map((a) => a.oid)));
    reg('mrealm.arealm.get_arealm', 's', (oid) => arealmRecord(this.arealms.find((a) => a.oid === oid) ?? raise(NO_SUCH_OBJECT, `no arealm with oid ${String(oid)}`)));
    reg('mrealm.arealm.get_arealm_by_name', 's', (name) => arealmRecord(this.arealms.find((a) => a.name === name) ?? raise(NO_SUCH_OBJECT, `no arealm named "${String(name)}"`)));
    reg('remote.node.get_workers', 's', (oid) => [...(this.workers.get(answering(oid, 'get_workers').authid)?.keys() ?? [])].sort());
    reg('remote.node.get_worker', 's s', (oid, wid) => {
      answering(oid, 'get_worker');
      const w = worker(oid, wid, 'get_worker');
      const up = (Date.now() - Date.parse(w.created)) / 1000;
      return { id: w.id, pid: w.pid, type: 'proxy', status: w.status, created: w.created, started: w.created, startup_time: 0.5, uptime: up };
    });
    reg('remote.proxy.get_proxy_routes', 's s', (oid, wid) => [...new Set(worker(oid, wid, 'get_proxy_routes').routes.map((r) => r.realm))].sort());
    reg('remote.proxy.list_proxy_realm_routes', 's s s', (oid, wid, realm) => {
      const list = worker(oid, wid, 'list_proxy_realm_routes').routes.filter((r) => r.realm === realm);
      return list.length > 0 ? list : raise(NO_SUCH_OBJECT, `No route for realm "${String(realm)}" in proxy`);
    });
  }
}

function abort(reason: string, message: string): HelloDecision {
  return { abort: { reason, message } };
}

function raise(uri: string, message: string): never {
  throw new WampError(uri, [message]);
}

/** `@wamp.register(check_types=True)`: wrong argument types → wamp.error.invalid_argument. `types`: s = str, b = bool, ? = optional. */
function checkTypes(procedure: string, types: string, args: unknown[]): void {
  const spec = types.replace(/\s+/g, '').match(/[sb]\??/g) ?? [];
  if (args.length > spec.length) raise('wamp.error.invalid_argument', `${procedure}() takes ${spec.length} arguments, ${args.length} given`);
  spec.forEach((t, i) => {
    const v = args[i];
    if (t.endsWith('?') && (v === undefined || v === null)) return;
    const ok = t[0] === 's' ? typeof v === 'string' : typeof v === 'boolean';
    if (!ok) raise('wamp.error.invalid_argument', `${procedure}: argument ${i} must be ${t[0] === 's' ? 'str' : 'bool'}, got ${JSON.stringify(v)}`);
  });
}

function nodeRecord(n: SimNode, mrealm: string): Record<string, unknown> {
  return {
    oid: n.oid, authid: n.authid, pubkey: n.pubkey ?? null, cluster_ip: '127.0.0.1', mrealm_oid: mrealm, owner_oid: null,
    authextra: null, label: null, description: null, tags: null,
    heartbeat: 1, timestamp: nowNs(), status: n.status ?? 'online',
  };
}

function webclusterRecord(w: SimWebcluster): Record<string, unknown> {
  return {
    oid: w.oid, name: w.name, status: 'RUNNING', owner_oid: null, changed: nowNs(),
    tcp_version: 4, tcp_port: 8080, tcp_shared: true, tcp_interface: null, tcp_backlog: 100,
    tls_key: null, tls_certificate: null, tls_chain_certificates: null, tls_ca_certificates: null, tls_dhparam: null, tls_ciphers: null,
    http_client_timeout: 10, http_hsts: false, http_hsts_max_age: 31536000, http_access_log: false, http_display_tracebacks: false,
  };
}

function arealmRecord(a: SimArealm): Record<string, unknown> {
  return {
    oid: a.oid, label: null, description: null, tags: null, name: a.name, status: a.status,
    workergroup_oid: workergroupOidFor(a.oid), webcluster_oid: a.webclusterOid, datamarket_oid: null,
    changed: nowNs(), owner_oid: null, enable_meta_api: true, bridge_meta_api: false,
  };
}

// A stable fake router worker group per arealm, so repeated calls answer the same.
function workergroupOidFor(oid: string): string {
  return `${oid.slice(0, 8)}-0000-4000-8000-${'0'.repeat(12)}`;
}
