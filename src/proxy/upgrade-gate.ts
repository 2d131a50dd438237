import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { describeError, ErrorCodes, isRetryableUpstreamError, RealmgateError } from '../errors.js';
import type { Decision } from './admission.js';
import { ClientWatch } from './client-watch.js';
import { type GateContext, outcomeForReject, type PendingClient, realmLabel } from './gate-context.js';
import { forwardWithoutUpgrade } from './forward-without-upgrade.js';
import { retryDelay } from './retry-delay.js';
import { badRequest, type RefusalReason, writeRaw, writeRefusal } from './reject.js';
import { requestHeadBytes } from './budget.js';
import { createRealmResolver } from './resolve-realm.js';
import { type Cancel, cancel, readUpstream } from './read-upstream.js';
import { connectUpstream, learnClientAddress, startTunnel, upgradeRequestHead } from './tunnel.js';
import { relayAnswerAndClose, responseHeadReader, type ResponseHead } from './upstream-response.js';
import type { UpgradeRequest } from './upgrade-request.js';

/** An upgrade-time client between its request and its tunnel (or answer). */
interface UpgradeClient {
  req: UpgradeRequest;
  socket: Duplex;
  /** Bytes that came with the upgrade request; sent upstream only after its 101. */
  head: Buffer;
  watch: ClientWatch;
  realm: string | undefined;
  enteredAt: number;
  /** When the hold and any upstream retries end (clock ms): arrival + queueTimeoutMs. */
  deadline: number;
  /** Upstream refusals/resets so far. */
  attempts: number;
}

/** Reads the realm from the first WAMP message itself (see hello-peek.ts). */
export type HelloHandler = (req: UpgradeRequest, socket: Duplex, head: Buffer) => void;

/**
 * The 'upgrade' handler: validate → resolve the realm → admission → tunnel.
 * Nothing is written to the client before admission decides, so a held
 * client sees neither a 101 nor an error until its realm is ready or its hold
 * ends with the contract's 503.
 */
export function createUpgradeGate(ctx: GateContext, helloHandler?: HelloHandler) {
  // Rebuilt when a reload (SIGHUP) swaps ctx.config: realm paths may have changed.
  let resolvedFor = ctx.config;
  let resolve = createRealmResolver(ctx.config);

  function refuse(socket: Duplex, realm: string | undefined, reason: RefusalReason, d?: Extract<Decision, { admitted: false }>): void {
    const label = realmLabel(ctx, realm);
    ctx.metrics.connection(label, outcomeForReject[reason], { socket, waitedMs: d?.waitedMs ?? 0 });
    if (d?.held) ctx.metrics.queueWait(label, d.waitedMs / 1000, outcomeForReject[reason]);
    const retry = realm !== undefined ? ctx.policyFor(realm).retryAfterSeconds : ctx.config.defaults.retryAfterSeconds;
    writeRefusal(socket, reason, realm, retry);
  }

  /**
   * Opens the upstream, sends the client's request head, and joins the sockets only once the
   * upstream answers a complete `101 Switching Protocols` head. Until then the client has seen
   * nothing and none of its later bytes went upstream (no request smuggled behind the upgrade);
   * any other answer is relayed as plain HTTP with `Connection: close` and both sockets close.
   * A connect that fails or an upstream that closes before answering is retried (see retry()).
   */
  function tunnel(c: UpgradeClient, d: Extract<Decision, { admitted: true }>): void {
    const { req, socket, watch, realm } = c;
    const label = realmLabel(ctx, realm);
    if (d.held && c.attempts === 0) ctx.metrics.queueWait(label, d.waitedMs / 1000, 'forwarded_after_wait');
    const gone: Cancel = { cancelled: watch.gone };
    let upstream: Socket | undefined;
    const unreserve = ctx.tunnels.reserve({ destroy: () => { cancel(gone); upstream?.destroy(); socket.destroy(); } });
    watch.onGone(() => cancel(gone));
    const connect = async (): Promise<ResponseHead> => {
      upstream = await connectUpstream(ctx.upstream, gone);
      if (gone.cancelled) throw new RealmgateError(ErrorCodes.CLOSED, 'client gone');
      upstream.write(upgradeRequestHead(req));
      return readUpstream(upstream, { timeoutMs: ctx.upstream.connectTimeoutMs, cancel: gone, do: 'answer the upgrade' }, responseHeadReader());
    };
    connect().then(
      (answer) => {
        unreserve();
        const up = upstream!;
        const early = watch.release();
        if (answer.status !== 101) {
          ctx.metrics.connection(label, 'upstream_refused', { socket });
          return relayAnswerAndClose(socket, up, answer, ctx.upstream.connectTimeoutMs);
        }
        // Bytes that came with or after the upgrade request go upstream only now, after the 101.
        const head = c.head;
        if (head.length + early.length > 0) up.write(head.length === 0 ? early : Buffer.concat([head, early]));
        socket.write(answer.rest.length === 0 ? answer.raw : Buffer.concat([answer.raw, answer.rest]));
        (socket as Socket).setNoDelay?.(true);
        ctx.metrics.connection(label, d.held || c.attempts > 0 ? 'forwarded_after_wait' : 'forwarded', { socket, waitedMs: c.attempts > 0 ? ctx.clock.now() - c.enteredAt : d.waitedMs });
        startTunnel(ctx.tunnels, label, socket, up);
      },
      (err: unknown) => {
        unreserve();
        upstream?.destroy();
        const left = gone.cancelled || socket.destroyed;
        if (!left && isRetryableUpstreamError(err)) return retry(c, err);
        watch.release();
        ctx.metrics.connection(label, left ? 'client_gone' : 'upstream_error', { socket, waitedMs: ctx.clock.now() - c.enteredAt });
        if (left) {
          socket.destroy();
          return;
        }
        ctx.warnings.note('upstream_unavailable', label, { err: describeError(err) });
        // Retry guidance here too: a release burst can exhaust the upstream's backlog or our own fds.
        const retryAfter = realm !== undefined ? ctx.policyFor(realm).retryAfterSeconds : ctx.config.defaults.retryAfterSeconds;
        writeRaw(socket, 502, 'Bad Gateway', JSON.stringify({ error: 'upstream_error', realm: realm ?? null, message: 'the upstream did not answer the upgrade - please retry connection', retryAfterSeconds: retryAfter }),
          { 'Retry-After': String(retryAfter), 'X-Realmgate-Reason': 'upstream_error' });
      },
    );
  }

  /**
   * The upstream refused or reset an admitted client before answering: the client has seen
   * nothing yet, so it waits a bounded, growing delay and is admitted again (at the head of its
   * realm's queue, with its original deadline) — until the deadline, then the contract's 503.
   * Drain answers it and destroy cuts it meanwhile (ctx.pending), a hang-up frees it.
   */
  function retry(c: UpgradeClient, err: unknown): void {
    const label = realmLabel(ctx, c.realm);
    c.attempts++;
    ctx.metrics.upstreamRetry(label);
    ctx.warnings.note('upstream_retry', label, { attempt: c.attempts, err: describeError(err) });
    const now = ctx.clock.now();
    const delay = retryDelay(c.attempts, ctx.config.hello.readmitMaxDelayMs, now, c.deadline);
    if (delay === undefined) {
      c.watch.release();
      return refuse(c.socket, c.realm, 'upstream_unavailable', { admitted: false, reason: 'queue_timeout', waitedMs: now - c.enteredAt, held: true });
    }
    let timer: ReturnType<typeof ctx.clock.setTimeout> | undefined;
    const stop = (): void => {
      if (timer) ctx.clock.clearTimeout(timer);
      timer = undefined;
      ctx.pending.delete(waiting);
    };
    const waiting: PendingClient = {
      drain: () => {
        stop();
        c.watch.release();
        refuse(c.socket, c.realm, 'draining');
        return true;
      },
      destroy: () => {
        stop();
        c.watch.release();
        c.socket.destroy();
      },
      pendingSlot: -1,
    };
    ctx.pending.add(waiting);
    c.watch.onGone(() => {
      stop();
      ctx.metrics.connection(label, 'client_gone', { socket: c.socket });
      c.socket.destroy();
    });
    timer = ctx.clock.setTimeout(() => {
      stop();
      admit(c, true);
    }, delay);
  }

  /** Admission for a client whose realm is known: tunnel now, hold, or refuse. `again`: a retry, at the head of the line. */
  function admit(c: UpgradeClient, again: boolean): void {
    const { realm, watch, socket } = c;
    if (realm === undefined || !ctx.registry.isKnown(realm)) {
      if (ctx.admission.draining) {
        watch.release();
        return refuse(socket, realm, 'draining');
      }
      // Discovery still converging: an unknown realm may be an arealm about to be guarded - hold it.
      const hold = realm !== undefined && ctx.config.unknownRealm === 'pass' && ctx.registry.holdUnknown();
      if (!hold) return tunnel(c, { admitted: true, waitedMs: ctx.clock.now() - c.enteredAt, held: again });
    }
    const opts = again ? { front: true, deadline: c.deadline, enteredAt: c.enteredAt } : {};
    const held = ctx.admission.enter(realm!, (d) => {
      if (d.admitted) return tunnel(c, d);
      watch.release();
      refuse(socket, realm, d.reason, d);
    }, opts);
    if (held) {
      learnClientAddress(c.req);
      watch.onGone(() => {
        held.cancel();
        ctx.metrics.connection(realmLabel(ctx, realm), 'client_gone', { socket });
        socket.destroy();
      });
    }
  }

  function gate(req: UpgradeRequest, socket: Duplex, head: Buffer, realm: string | undefined): void {
    // Charged until the tunnel starts or the client is answered: the request head, early bytes, a fixed overhead.
    const charge = ctx.budget.open(head.length + requestHeadBytes(req));
    if (!charge) return refuse(socket, realm, 'overload');
    const watch = new ClientWatch(socket, charge);
    const enteredAt = ctx.clock.now();
    const deadline = enteredAt + (realm !== undefined ? ctx.policyFor(realm).queueTimeoutMs : ctx.config.defaults.queueTimeoutMs);
    const c: UpgradeClient = { req, socket, head, watch, realm, enteredAt, deadline, attempts: 0 };
    const known = realm !== undefined && ctx.registry.isKnown(realm);
    if (!known) {
      if (ctx.admission.draining) {
        watch.release();
        return refuse(socket, realm, 'draining');
      }
      if (ctx.config.unknownRealm !== 'pass') {
        watch.release();
        return refuse(socket, realm, 'realm_not_served');
      }
    }
    admit(c, false);
  }

  return function onUpgrade(req: UpgradeRequest, socket: Duplex, head: Buffer): void {
    // From here on the socket is ours: an error must never reach the process.
    socket.on('error', () => {});
    const upgrade = req.headers.upgrade;
    if (typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket') {
      // Not ours to gate (e.g. `Upgrade: h2c` from curl --http2): ignore the offer, forward as plain HTTP.
      return forwardWithoutUpgrade(ctx, req, socket, head);
    }
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(key.trim())) {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request', { socket });
      return badRequest(socket, 'missing or malformed Sec-WebSocket-Key');
    }
    if (ctx.config !== resolvedFor) {
      resolvedFor = ctx.config;
      resolve = createRealmResolver(ctx.config);
    }
    const r = resolve(req);
    if (r.kind === 'invalid') {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request', { socket });
      return badRequest(socket, r.message);
    }
    if (r.kind === 'realm') return gate(req, socket, head, r.realm);
    if (r.hello && helloHandler) {
      if (ctx.admission.draining) return refuse(socket, undefined, 'draining');
      return helloHandler(req, socket, head);
    }
    return gate(req, socket, head, undefined);
  };
}
