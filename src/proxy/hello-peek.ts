import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { describeError, isRealmgateError, isRetryableUpstreamError, ErrorCodes } from '../errors.js';
import { isNoSuchRealmAbort, refusalAbort } from '../wamp/abort.js';
import { decodeHello, type Hello, upstreamFirstMessage } from '../wamp/hello.js';
import { MessageType } from '../wamp/messages.js';
import { pickSubprotocol, SUPPORTED_SUBPROTOCOLS } from '../wamp/serializers.js';
import { Opcode } from '../wamp/ws-frames.js';
import type { Decision, HeldClient } from './admission.js';
import { type GateContext, outcomeForReject, type PendingClient, realmLabel } from './gate-context.js';
import { PeekedClient, type FirstMessage, type PeekEnd } from './peeked-client.js';
import { badRequest, REFUSALS, type RefusalReason, writeRefusal } from './reject.js';
import { countHelloRetry, type HelloRetryKind, nextHelloRetry, RETRY_GIVE_UP } from './retry-delay.js';
import { type BudgetCharge, requestHeadBytes } from './budget.js';
import type { HelloHandler } from './upgrade-gate.js';
import { learnClientAddress, startTunnel } from './tunnel.js';
import { type Cancel, cancel } from './read-upstream.js';
import { openUpstreamWebSocket, readFirstFrame, WebSocketKeys } from './upstream-handshake.js';
import type { UpgradeRequest } from './upgrade-request.js';

/** Largest first upstream message read for re-admission (WELCOME with big authextra). */
const MAX_UPSTREAM_FIRST_MESSAGE = 1024 * 1024;

/**
 * The HELLO peek: for clients that name their realm only in the WAMP HELLO.
 * The gate accepts the WebSocket itself, reads the HELLO, holds the client by
 * its realm (costing no upstream connection), and on admission opens the
 * upstream with the same subprotocol, sends the client's original HELLO bytes,
 * and pipes raw bytes both ways.
 *
 * With hello.readmitOnAbort, the upstream's first message is read before
 * piping: a `wamp.error.no_such_realm` ABORT (a proxy worker without routes
 * yet, the readiness signal was early) is never shown to the client — the gate
 * drops that upstream connection and puts the client back at the head of its
 * realm's queue, with its original deadline.
 */
export function createHelloPeek(ctx: GateContext): HelloHandler {
  const keys = new WebSocketKeys();
  return (req, socket, head) => {
    if (req.headers['sec-websocket-version'] !== '13') {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request', { socket });
      return badRequest(socket, 'unsupported Sec-WebSocket-Version (13 only)', 426, 'Upgrade Required');
    }
    const sp = pickSubprotocol(req.headers['sec-websocket-protocol']);
    if (!sp) {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request', { socket });
      return badRequest(socket, `This server only speaks WebSocket subprotocols ${SUPPORTED_SUBPROTOCOLS.join(', ')}`);
    }
    // Charged until the tunnel starts or the session ends: the request head, every byte read, a fixed overhead.
    const charge = ctx.budget.open(head.length + requestHeadBytes(req));
    if (!charge) {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'rejected_overload');
      return writeRefusal(socket, 'overload', undefined, ctx.config.defaults.retryAfterSeconds);
    }
    new PeekSession(ctx, req, socket, new PeekedClient(socket, sp, ctx.config.hello.maxBytes, charge), charge, keys).start(head);
  };
}

class PeekSession implements PendingClient {
  pendingSlot = -1;
  readonly #ctx: GateContext;
  readonly #req: UpgradeRequest;
  readonly #socket: Duplex;
  readonly #client: PeekedClient;
  readonly #charge: BudgetCharge;
  readonly #keys: WebSocketKeys;
  #hello: Hello | undefined;
  #first: FirstMessage | undefined;
  #enteredAt = 0;
  #deadline = 0;
  #held: HeldClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #readmitTimer: ReturnType<GateContext['clock']['setTimeout']> | undefined;
  #connecting: Cancel | undefined;
  #readmissions = 0;
  #settled = false;
  #finished = false;

  constructor(ctx: GateContext, req: UpgradeRequest, socket: Duplex, client: PeekedClient, charge: BudgetCharge, keys: WebSocketKeys) {
    this.#ctx = ctx;
    this.#keys = keys;
    this.#charge = charge;
    this.#req = req;
    this.#socket = socket;
    this.#client = client;
  }

  get #realm(): string {
    return this.#hello!.realm;
  }

  get #label(): string {
    return realmLabel(this.#ctx, this.#hello?.realm);
  }

  start(head: Buffer): void {
    this.#ctx.pending.add(this);
    // The safety net for every end path: whatever closes the socket, the session is freed.
    this.#socket.once('close', this.#onSocketClose);
    const timeoutMs = this.#ctx.config.hello.timeoutMs;
    this.#timer = setTimeout(() => {
      this.#outcome('bad_request');
      this.#closeClient(1008, `no WAMP HELLO within ${timeoutMs} ms`);
    }, timeoutMs);
    this.#timer.unref();
    this.#client.accept(this.#req, head, (m) => this.#onFirst(m), (e) => this.#onEnd(e));
  }

  readonly #onSocketClose = (): void => this.#finish();

  /**
   * Frees everything the session holds before admission: timers, its place in ctx.pending,
   * and the client's buffered frames. Idempotent; called on every end path (refusal, protocol
   * error, timeout, hang-up, drain, destroy, upstream failure) and when the tunnel starts.
   */
  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#clearReadmit();
    this.#held?.cancel();
    this.#held = undefined;
    this.#ctx.pending.delete(this);
    this.#charge.release();
    this.#socket.off('close', this.#onSocketClose);
    this.#first = undefined;
  }

  /** A close started by the gate: the close handshake is bounded inside PeekedClient. */
  #closeClient(code: number, reason: string): void {
    this.#finish();
    this.#client.close(code, reason);
  }

  /** Drain: a client not yet queued (no HELLO yet, or waiting to be re-admitted) is answered now. */
  drain(): boolean {
    if (!this.#hello) {
      this.#outcome('draining');
      this.#closeClient(1001, 'realmgate is draining');
      return true;
    } else if (this.#readmitTimer) {
      this.#clearReadmit();
      this.#refuse('draining', { waitedMs: this.#ctx.clock.now() - this.#enteredAt, held: true });
      return true;
    }
    // Queued clients are answered by admission.drain(); connecting ones become tunnels.
    return false;
  }

  destroy(): void {
    if (this.#connecting) cancel(this.#connecting);
    this.#finish();
    this.#socket.destroy();
  }

  #clearReadmit(): void {
    if (this.#readmitTimer) this.#ctx.clock.clearTimeout(this.#readmitTimer);
    this.#readmitTimer = undefined;
  }

  #onFirst(m: FirstMessage): void {
    clearTimeout(this.#timer);
    try {
      this.#hello = decodeHello(this.#client.sp, m.payload);
    } catch (err) {
      this.#outcome('bad_request');
      const reason = isRealmgateError(err) ? String(err.details?.reason ?? err.message) : describeError(err);
      return this.#closeClient(1002, `invalid HELLO: ${reason}`);
    }
    this.#first = m;
    const now = this.#ctx.clock.now();
    this.#enteredAt = now;
    this.#deadline = now + this.#ctx.policyFor(this.#realm).queueTimeoutMs;
    if (!this.#ctx.registry.isKnown(this.#realm)) {
      if (this.#ctx.config.unknownRealm !== 'pass') return this.#refuse('realm_not_served');
      // Discovery still converging: an unknown realm may be an arealm about to be guarded - hold it.
      if (!this.#ctx.registry.holdUnknown()) return void this.#connect({ admitted: true, waitedMs: 0, held: false });
    }
    this.#enter(false);
  }

  #enter(front: boolean): void {
    // This client can be re-admitted after an upstream no_such_realm, so a partly routed realm may admit it.
    const readmittable = this.#ctx.config.hello.readmitOnAbort;
    const opts = front ? { front: true, deadline: this.#deadline, enteredAt: this.#enteredAt, readmittable } : { readmittable };
    this.#held = this.#ctx.admission.enter(this.#realm, (d) => {
      this.#held = undefined;
      if (d.admitted) void this.#connect(d);
      else this.#refuse(d.reason, d);
    }, opts);
    if (this.#held) learnClientAddress(this.#req);
  }

  /** The client left (or broke the protocol) at any stage: undo whatever was pending. */
  #onEnd(e: PeekEnd): void {
    this.#finish();
    if (this.#connecting) cancel(this.#connecting);
    this.#outcome(e.kind === 'gone' ? 'client_gone' : e.kind === 'overload' ? 'rejected_overload' : 'bad_request');
  }

  /** Ends the hold with an ABORT that says why, with `retry_after` only when a retry can help. */
  #refuse(reason: RefusalReason, d?: { waitedMs: number; held: boolean }): void {
    this.#finish();
    this.#outcome(outcomeForReject[reason], d);
    const r = REFUSALS[reason];
    const retry = r.retry ? this.#ctx.policyFor(this.#realm).retryAfterSeconds : undefined;
    this.#client.sendAndClose(refusalAbort(this.#client.sp, r.message(this.#realm), retry), 1000, reason === 'draining' ? 'realmgate is draining' : `refused: ${reason}`);
  }

  async #connect(d: Extract<Decision, { admitted: true }>): Promise<void> {
    const ctx = this.#ctx;
    const gone: Cancel = { cancelled: false };
    this.#connecting = gone;
    let upstream: Socket | undefined;
    let firstBytes: Buffer;
    let firstMessage: unknown[] | undefined;
    // Counted for drain while connecting; destroy() cuts it.
    const unreserve = ctx.tunnels.reserve({ destroy: () => this.destroy() });
    try {
      const up = await openUpstreamWebSocket(ctx.upstream, this.#req, this.#client.sp.protocol, gone, this.#keys);
      upstream = up.socket;
      upstream.write(this.#first!.raw);
      if (!ctx.config.hello.readmitOnAbort) {
        firstBytes = up.rest;
      } else {
        const { frame, after } = await readFirstFrame(upstream, up.rest, MAX_UPSTREAM_FIRST_MESSAGE, ctx.upstream.connectTimeoutMs, gone);
        firstBytes = Buffer.concat([frame.raw, after]);
        if (frame.fin && (frame.opcode === Opcode.TEXT || frame.opcode === Opcode.BINARY)) {
          firstMessage = upstreamFirstMessage(this.#client.sp, frame.payload, this.#readmissions > 0);
        }
        // Only a guarded realm can be waited for; an unknown (passed) realm's refusal is the upstream's answer.
        if (firstMessage && isNoSuchRealmAbort(firstMessage) && ctx.registry.isKnown(this.#realm)) {
          upstream.destroy();
          unreserve();
          return this.#readmit('no_such_realm');
        }
      }
    } catch (err) {
      this.#connecting = undefined;
      unreserve();
      upstream?.destroy();
      if (!this.#client.ended && isRetryableUpstreamError(err)) return this.#readmit('upstream_failed');
      this.#finish();
      if (this.#client.ended || (isRealmgateError(err, ErrorCodes.CLOSED))) return;
      // Refused or reset before the 101 or before the first WAMP message: the client still waits for its WELCOME.
      this.#outcome('upstream_error', d);
      ctx.warnings.note('upstream_unavailable', this.#label, { err: describeError(err) });
      return this.#closeClient(1011, 'upstream unavailable - please retry');
    }
    this.#connecting = undefined;
    unreserve();
    this.#finish();
    if (this.#client.ended) {
      upstream.destroy();
      return;
    }
    if (this.#readmissions > 0 && firstMessage?.[0] === MessageType.WELCOME) {
      const authextra = (firstMessage[2] as { authextra?: Record<string, unknown> } | undefined)?.authextra ?? {};
      const worker = String(authextra.x_cb_proxy_worker ?? '').slice(0, 64);
      ctx.warnings.note('joined_after_readmission', this.#label,
        { readmissions: this.#readmissions, worker, node: String(authextra.x_cb_proxy_node ?? '').slice(0, 64) }, worker);
    }
    // Byte order: HELLO (sent), frames received while held, any partial frame — then raw both ways.
    const later = this.#client.release();
    if (later.length > 0) upstream.write(later);
    this.#socket.write(firstBytes);
    const waited = this.#ctx.clock.now() - this.#enteredAt;
    this.#outcome(d.held || this.#readmissions > 0 ? 'forwarded_after_wait' : 'forwarded', { ...d, waitedMs: waited, held: d.held || this.#readmissions > 0 });
    // Outside this session's closures: the tunnel must not keep the session (request, peeked frames) alive.
    startTunnel(ctx.tunnels, this.#label, this.#socket, upstream);
  }

  /**
   * The upstream said no_such_realm, or refused/reset the connection before answering: the client
   * still waits for its WELCOME, so it goes back to the head of the line after a bounded, growing
   * delay — until its real deadline (the last delay is shortened to land on it), then an ABORT
   * with retry guidance.
   */
  #readmit(kind: HelloRetryKind): void {
    const ctx = this.#ctx;
    this.#connecting = undefined;
    this.#readmissions++;
    countHelloRetry(ctx, kind, this.#label);
    if (this.#client.ended) return this.#finish();
    const now = ctx.clock.now();
    const delay = nextHelloRetry(ctx, kind, this.#label, this.#readmissions, now, this.#deadline);
    if (delay === undefined) return this.#refuse(RETRY_GIVE_UP[kind], { waitedMs: now - this.#enteredAt, held: true });
    // A pseudo-hold during the delay, so a hang-up or a drain is still noticed and counted once.
    this.#readmitTimer = ctx.clock.setTimeout(() => {
      this.#readmitTimer = undefined;
      if (this.#client.ended) return;
      if (ctx.registry.isKnown(this.#realm)) this.#enter(true);
      else void this.#connect({ admitted: true, waitedMs: ctx.clock.now() - this.#enteredAt, held: true });
    }, delay);
  }

  /** Records the connection's one final outcome (later calls are ignored). */
  #outcome(outcome: Parameters<GateContext['metrics']['connection']>[1], d?: { waitedMs: number; held: boolean }): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#ctx.metrics.connection(this.#label, outcome, { socket: this.#socket, waitedMs: d?.waitedMs ?? 0 });
    if (d?.held) this.#ctx.metrics.queueWait(this.#label, d.waitedMs / 1000, outcome);
  }
}
