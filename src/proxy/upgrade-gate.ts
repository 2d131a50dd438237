import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { describeError, ErrorCodes, RealmgateError } from '../errors.js';
import type { Decision } from './admission.js';
import { ClientWatch } from './client-watch.js';
import { type GateContext, outcomeForReject, realmLabel } from './gate-context.js';
import { badRequest, writeRaw, writeServiceUnavailable } from './reject.js';
import { createRealmResolver } from './resolve-realm.js';
import { type Cancel, cancel, readUpstream } from './read-upstream.js';
import { connectUpstream, pipeBoth, upgradeRequestHead } from './tunnel.js';

/** Reads the realm from the first WAMP message itself (see hello-peek.ts). */
export type HelloHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The 'upgrade' handler: validate → resolve the realm → admission → tunnel.
 * Nothing is written to the client before admission decides, so a held
 * client sees neither a 101 nor an error until its realm is ready or its hold
 * ends with the contract's 503.
 */
export function createUpgradeGate(ctx: GateContext, helloHandler?: HelloHandler) {
  const resolve = createRealmResolver(ctx.config);

  function refuse(socket: Duplex, realm: string | undefined, d: Extract<Decision, { admitted: false }>): void {
    const label = realmLabel(ctx, realm);
    ctx.metrics.connection(label, outcomeForReject[d.reason]);
    if (d.held) ctx.metrics.queueWait(label, d.waitedMs / 1000, outcomeForReject[d.reason]);
    const retry = realm !== undefined ? ctx.policyFor(realm).retryAfterSeconds : ctx.config.defaults.retryAfterSeconds;
    writeServiceUnavailable(socket, d.reason, realm, retry);
  }

  /**
   * Opens the upstream, sends the client's request, and joins the sockets once the upstream
   * answers: its own 101 (or refusal) reaches the client verbatim. Until that first byte the
   * client has seen nothing, so a dead or silent upstream can still become a clean 502.
   */
  function tunnel(req: IncomingMessage, socket: Duplex, head: Buffer, watch: ClientWatch, realm: string | undefined, d: Extract<Decision, { admitted: true }>): void {
    const label = realmLabel(ctx, realm);
    if (d.held) ctx.metrics.queueWait(label, d.waitedMs / 1000, 'forwarded_after_wait');
    const gone: Cancel = { cancelled: watch.gone };
    let upstream: Socket | undefined;
    const unreserve = ctx.tunnels.reserve({ destroy: () => { cancel(gone); upstream?.destroy(); socket.destroy(); } });
    watch.onGone(() => cancel(gone));
    const connect = async (): Promise<Buffer> => {
      upstream = await connectUpstream(ctx.upstream);
      if (gone.cancelled) throw new RealmgateError(ErrorCodes.CLOSED, 'client gone');
      // One write (one syscall) for the request head and any bytes that came with or after it.
      const requestHead = Buffer.from(upgradeRequestHead(req), 'latin1');
      const early = watch.takeEarly();
      upstream.write(head.length + early.length === 0 ? requestHead : Buffer.concat([requestHead, head, early]));
      return readUpstream(upstream, { timeoutMs: ctx.upstream.connectTimeoutMs, cancel: gone, do: 'answer the upgrade' }, (chunk) => chunk);
    };
    connect().then(
      (answer) => {
        unreserve();
        const up = upstream!;
        const early = watch.release();
        if (early.length > 0) up.write(early);
        socket.write(answer);
        (socket as Socket).setNoDelay?.(true);
        ctx.metrics.connection(label, d.held ? 'forwarded_after_wait' : 'forwarded');
        const handle = pipeBoth(socket, up, () => untrack());
        const untrack = ctx.tunnels.add(label, handle);
        socket.resume();
      },
      (err: unknown) => {
        unreserve();
        upstream?.destroy();
        watch.release();
        const left = gone.cancelled || socket.destroyed;
        ctx.metrics.connection(label, left ? 'client_gone' : 'upstream_error');
        if (left) {
          socket.destroy();
          return;
        }
        ctx.logger.warn({ realm, err: describeError(err) }, 'upstream unavailable for an admitted client');
        // Retry guidance here too: a release burst can exhaust the upstream's backlog or our own fds.
        const retry = realm !== undefined ? ctx.policyFor(realm).retryAfterSeconds : ctx.config.defaults.retryAfterSeconds;
        writeRaw(socket, 502, 'Bad Gateway', JSON.stringify({ error: 'upstream_error', realm: realm ?? null, message: describeError(err), retryAfterSeconds: retry }),
          { 'Retry-After': String(retry), 'X-Realmgate-Reason': 'upstream_error' });
      },
    );
  }

  function gate(req: IncomingMessage, socket: Duplex, head: Buffer, realm: string | undefined): void {
    const watch = new ClientWatch(socket);
    const known = realm !== undefined && ctx.registry.isKnown(realm);
    if (!known) {
      if (ctx.admission.draining) {
        watch.release();
        return refuse(socket, realm, { admitted: false, reason: 'draining', waitedMs: 0, held: false });
      }
      if (ctx.config.unknownRealm === 'pass') return tunnel(req, socket, head, watch, realm, { admitted: true, waitedMs: 0, held: false });
      watch.release();
      return refuse(socket, realm, { admitted: false, reason: 'realm_not_ready', waitedMs: 0, held: false });
    }
    const held = ctx.admission.enter(realm, (d) => {
      if (d.admitted) return tunnel(req, socket, head, watch, realm, d);
      watch.release();
      refuse(socket, realm, d);
    });
    if (held) {
      watch.onGone(() => {
        held.cancel();
        ctx.metrics.connection(realm, 'client_gone');
        socket.destroy();
      });
    }
  }

  /**
   * A request that merely offers another protocol is a plain HTTP request to a proxy that does
   * not speak it: forwarded with the offer removed and `Connection: close`, raw both ways.
   */
  function forwardWithoutUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    connectUpstream(ctx.upstream).then(
      (upstream) => {
        if (socket.destroyed) return void upstream.destroy();
        const requestHead = upgradeRequestHead(req, { set: { connection: 'close' }, omit: ['upgrade', 'http2-settings'] });
        upstream.write(head.length === 0 ? requestHead : Buffer.concat([Buffer.from(requestHead, 'latin1'), head]));
        pipeBoth(socket, upstream, () => {});
      },
      (err: unknown) => {
        const body = JSON.stringify({ error: 'upstream_error', message: describeError(err) });
        writeRaw(socket, 502, 'Bad Gateway', body);
      },
    );
  }

  return function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // From here on the socket is ours: an error must never reach the process.
    socket.on('error', () => {});
    const upgrade = req.headers.upgrade;
    if (typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket') {
      // Not ours to gate (e.g. `Upgrade: h2c` from curl --http2): ignore the offer, forward as plain HTTP.
      return forwardWithoutUpgrade(req, socket, head);
    }
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(key.trim())) {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request');
      return badRequest(socket, 'missing or malformed Sec-WebSocket-Key');
    }
    const r = resolve(req);
    if (r.kind === 'invalid') {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request');
      return badRequest(socket, r.message);
    }
    if (r.kind === 'realm') return gate(req, socket, head, r.realm);
    if (r.hello && helloHandler) {
      if (ctx.admission.draining) return refuse(socket, undefined, { admitted: false, reason: 'draining', waitedMs: 0, held: false });
      return helloHandler(req, socket, head);
    }
    return gate(req, socket, head, undefined);
  };
}
