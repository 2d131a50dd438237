import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { describeError, ErrorCodes, RealmgateError } from '../errors.js';
import type { Decision } from './admission.js';
import { ClientWatch } from './client-watch.js';
import { type GateContext, outcomeForReject, realmLabel } from './gate-context.js';
import { badRequest, type RefusalReason, writeRaw, writeRefusal } from './reject.js';
import { requestHeadBytes } from './budget.js';
import { createRealmResolver } from './resolve-realm.js';
import { type Cancel, cancel, readUpstream } from './read-upstream.js';
import { connectUpstream, pipeBoth, upgradeRequestHead } from './tunnel.js';
import { relayAnswerAndClose, responseHeadReader, type ResponseHead } from './upstream-response.js';

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

  function refuse(socket: Duplex, realm: string | undefined, reason: RefusalReason, d?: Extract<Decision, { admitted: false }>): void {
    const label = realmLabel(ctx, realm);
    ctx.metrics.connection(label, outcomeForReject[reason]);
    if (d?.held) ctx.metrics.queueWait(label, d.waitedMs / 1000);
    const retry = realm !== undefined ? ctx.policyFor(realm).retryAfterSeconds : ctx.config.defaults.retryAfterSeconds;
    writeRefusal(socket, reason, realm, retry);
  }

  /**
   * Opens the upstream, sends the client's request head, and joins the sockets only once the
   * upstream answers a complete `101 Switching Protocols` head. Until then the client has seen
   * nothing and none of its later bytes went upstream (no request smuggled behind the upgrade);
   * any other answer is relayed as plain HTTP with `Connection: close` and both sockets close.
   */
  function tunnel(req: IncomingMessage, socket: Duplex, head: Buffer, watch: ClientWatch, realm: string | undefined, d: Extract<Decision, { admitted: true }>): void {
    const label = realmLabel(ctx, realm);
    if (d.held) ctx.metrics.queueWait(label, d.waitedMs / 1000);
    const gone: Cancel = { cancelled: watch.gone };
    let upstream: Socket | undefined;
    const unreserve = ctx.tunnels.reserve({ destroy: () => { cancel(gone); upstream?.destroy(); socket.destroy(); } });
    watch.onGone(() => cancel(gone));
    const connect = async (): Promise<ResponseHead> => {
      upstream = await connectUpstream(ctx.upstream);
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
          ctx.metrics.connection(label, 'upstream_refused');
          return relayAnswerAndClose(socket, up, answer, ctx.upstream.connectTimeoutMs);
        }
        // Bytes that came with or after the upgrade request go upstream only now, after the 101.
        if (head.length + early.length > 0) up.write(head.length === 0 ? early : Buffer.concat([head, early]));
        socket.write(answer.rest.length === 0 ? answer.raw : Buffer.concat([answer.raw, answer.rest]));
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
    // Charged until the tunnel starts or the client is answered: the request head, early bytes, a fixed overhead.
    const charge = ctx.budget.open(head.length + requestHeadBytes(req));
    if (!charge) return refuse(socket, realm, 'overload');
    const watch = new ClientWatch(socket, charge);
    const known = realm !== undefined && ctx.registry.isKnown(realm);
    if (!known) {
      if (ctx.admission.draining) {
        watch.release();
        return refuse(socket, realm, 'draining');
      }
      if (ctx.config.unknownRealm === 'pass') return tunnel(req, socket, head, watch, realm, { admitted: true, waitedMs: 0, held: false });
      watch.release();
      return refuse(socket, realm, 'realm_not_served');
    }
    const held = ctx.admission.enter(realm, (d) => {
      if (d.admitted) return tunnel(req, socket, head, watch, realm, d);
      watch.release();
      refuse(socket, realm, d.reason, d);
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
   * not speak it: forwarded with the offer removed and `Connection: close` — exactly one request
   * (its Content-Length body at most), one answer relayed, then both sockets close. Never a pipe.
   */
  function forwardWithoutUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (req.headers['transfer-encoding'] !== undefined) {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request');
      return badRequest(socket, 'a chunked request body with an Upgrade offer is not forwarded; send Content-Length');
    }
    const bodyLength = Number(req.headers['content-length'] ?? 0);
    if (!Number.isSafeInteger(bodyLength) || bodyLength < 0) {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request');
      return badRequest(socket, 'invalid Content-Length');
    }
    const gone: Cancel = { cancelled: false };
    const onGone = (): void => cancel(gone);
    socket.once('close', onGone);
    let upstream: Socket | undefined;
    const send = async (): Promise<ResponseHead> => {
      upstream = await connectUpstream(ctx.upstream);
      if (gone.cancelled || socket.destroyed) throw new RealmgateError(ErrorCodes.CLOSED, 'client gone');
      const up = upstream;
      up.write(upgradeRequestHead(req, { set: { connection: 'close' }, omit: ['upgrade', 'http2-settings'] }));
      // The request body and not one byte more: pipelined requests stay with the gate.
      let left = bodyLength;
      const forwardBody = (chunk: Buffer): void => {
        if (left <= 0) return;
        const piece = chunk.subarray(0, left);
        left -= piece.length;
        up.write(piece);
        if (left <= 0) socket.off('data', forwardBody);
      };
      forwardBody(head);
      if (left > 0) socket.on('data', forwardBody);
      return readUpstream(up, { timeoutMs: ctx.upstream.connectTimeoutMs, cancel: gone, do: 'answer the request' }, responseHeadReader());
    };
    send().then(
      (answer) => {
        socket.off('close', onGone);
        if (answer.status === 101) {
          upstream!.destroy();
          return writeRaw(socket, 502, 'Bad Gateway', JSON.stringify({ error: 'upstream_error', message: 'the upstream switched protocols for a request that did not ask to' }));
        }
        relayAnswerAndClose(socket, upstream!, answer, ctx.upstream.connectTimeoutMs);
      },
      () => {
        socket.off('close', onGone);
        upstream?.destroy();
        if (gone.cancelled) return void socket.destroy();
        writeRaw(socket, 502, 'Bad Gateway', JSON.stringify({ error: 'upstream_error', message: 'the upstream is unavailable - please retry' }));
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
      if (ctx.admission.draining) return refuse(socket, undefined, 'draining');
      return helloHandler(req, socket, head);
    }
    return gate(req, socket, head, undefined);
  };
}
