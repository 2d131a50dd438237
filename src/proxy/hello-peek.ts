import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { describeError, isRealmgateError, ErrorCodes } from '../errors.js';
import { isNoSuchRealmAbort, notReadyAbort } from '../wamp/abort.js';
import { decodeFirstMessage, decodeHello, type Hello } from '../wamp/hello.js';
import { MessageType } from '../wamp/messages.js';
import { pickSubprotocol, SUPPORTED_SUBPROTOCOLS } from '../wamp/serializers.js';
import { Opcode } from '../wamp/ws-frames.js';
import type { Decision, HeldClient, RejectReason } from './admission.js';
import { type GateContext, outcomeForReject, type PendingClient, realmLabel } from './gate-context.js';
import { PeekedClient, type FirstMessage, type PeekEnd } from './peeked-client.js';
import { badRequest } from './reject.js';
import { pipeBoth } from './tunnel.js';
import type { HelloHandler } from './upgrade-gate.js';
import { type Cancel, cancel } from './read-upstream.js';
import { openUpstreamWebSocket, readFirstFrame } from './upstream-handshake.js';

/** Largest first upstream message read for re-admission (WELCOME with big authextra). */
const MAX_UPSTREAM_FIRST_MESSAGE = 1024 * 1024;
/** First re-admission delay; doubles per refusal up to hello.readmitMaxDelayMs. */
const READMIT_BASE_DELAY_MS = 50;

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
  return (req, socket, head) => {
    if (req.headers['sec-websocket-version'] !== '13') {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request');
      return badRequest(socket, 'unsupported Sec-WebSocket-Version (13 only)', 426, 'Upgrade Required');
    }
    const sp = pickSubprotocol(req.headers['sec-websocket-protocol']);
    if (!sp) {
      ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request');
      return badRequest(socket, `This server only speaks WebSocket subprotocols ${SUPPORTED_SUBPROTOCOLS.join(', ')}`);
    }
    new PeekSession(ctx, req, socket, new PeekedClient(socket, sp, ctx.config.hello.maxBytes)).start(head);
  };
}

class PeekSession implements PendingClient {
  readonly #ctx: GateContext;
  readonly #req: IncomingMessage;
  readonly #socket: Duplex;
  readonly #client: PeekedClient;
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

  constructor(ctx: GateContext, req: IncomingMessage, socket: Duplex, client: PeekedClient) {
    this.#ctx = ctx;
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
    const timeoutMs = this.#ctx.config.hello.timeoutMs;
    this.#timer = setTimeout(() => {
      this.#outcome('bad_request');
      this.#client.close(1008, `no WAMP HELLO within ${timeoutMs} ms`);
    }, timeoutMs);
    this.#timer.unref();
    this.#client.accept(this.#req, head, (m) => this.#onFirst(m), (e) => this.#onEnd(e));
  }

  /** Drain: a client not yet queued (no HELLO yet, or waiting to be re-admitted) is answered now. */
  drain(): void {
    if (!this.#hello) {
      clearTimeout(this.#timer);
      this.#ctx.pending.delete(this);
      this.#outcome('draining');
      this.#client.close(1001, 'realmgate is draining');
    } else if (this.#readmitTimer) {
      this.#clearReadmit();
      this.#refuse({ admitted: false, reason: 'draining', waitedMs: this.#ctx.clock.now() - this.#enteredAt, held: true });
    }
    // Queued clients are answered by admission.drain(); connecting ones become tunnels.
  }

  destroy(): void {
    clearTimeout(this.#timer);
    this.#clearReadmit();
    if (this.#connecting) cancel(this.#connecting);
    this.#ctx.pending.delete(this);
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
      return this.#client.close(1002, `invalid HELLO: ${reason}`);
    }
    this.#first = m;
    const now = this.#ctx.clock.now();
    this.#enteredAt = now;
    this.#deadline = now + this.#ctx.policyFor(this.#realm).queueTimeoutMs;
    if (!this.#ctx.registry.isKnown(this.#realm)) {
      if (this.#ctx.config.unknownRealm === 'pass') return void this.#connect({ admitted: true, waitedMs: 0, held: false });
      return this.#refuse({ admitted: false, reason: 'realm_not_ready', waitedMs: 0, held: false });
    }
    this.#enter(false);
  }

  #enter(front: boolean): void {
    const opts = front ? { front: true, deadline: this.#deadline, enteredAt: this.#enteredAt } : {};
    this.#held = this.#ctx.admission.enter(this.#realm, (d) => {
      this.#held = undefined;
      if (d.admitted) void this.#connect(d);
      else this.#refuse(d);
    }, opts);
  }

  /** The client left (or broke the protocol) at any stage: undo whatever was pending. */
  #onEnd(e: PeekEnd): void {
    clearTimeout(this.#timer);
    this.#clearReadmit();
    this.#ctx.pending.delete(this);
    this.#held?.cancel();
    this.#held = undefined;
    if (this.#connecting) cancel(this.#connecting);
    this.#outcome(e.kind === 'gone' ? 'client_gone' : 'bad_request');
  }

  #refuse(d: Extract<Decision, { admitted: false }>): void {
    this.#ctx.pending.delete(this);
    this.#outcome(outcomeForReject[d.reason], d);
    const retry = this.#ctx.policyFor(this.#realm).retryAfterSeconds;
    this.#client.sendAndClose(notReadyAbort(this.#client.sp, this.#realm, retry), 1000, abortCloseReason(d.reason));
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
      const up = await openUpstreamWebSocket(ctx.upstream, this.#req, this.#client.sp.protocol, gone);
      upstream = up.socket;
      upstream.write(this.#first!.raw);
      if (!ctx.config.hello.readmitOnAbort) {
        firstBytes = up.rest;
      } else {
        const { frame, after } = await readFirstFrame(upstream, up.rest, MAX_UPSTREAM_FIRST_MESSAGE, ctx.upstream.connectTimeoutMs, gone);
        firstBytes = Buffer.concat([frame.raw, after]);
        if (frame.fin && (frame.opcode === Opcode.TEXT || frame.opcode === Opcode.BINARY)) {
          try {
            firstMessage = decodeFirstMessage(this.#client.sp, frame.payload);
          } catch {
            firstMessage = undefined; // not ours to judge: the client gets the bytes as they are
          }
        }
        // Only a guarded realm can be waited for; an unknown (passed) realm's refusal is the upstream's answer.
        if (firstMessage && isNoSuchRealmAbort(firstMessage) && ctx.registry.isKnown(this.#realm)) {
          upstream.destroy();
          unreserve();
          return this.#readmit();
        }
      }
    } catch (err) {
      this.#connecting = undefined;
      unreserve();
      this.#ctx.pending.delete(this);
      upstream?.destroy();
      if (this.#client.ended || (isRealmgateError(err, ErrorCodes.CLOSED))) return;
      this.#outcome('upstream_error', d);
      ctx.logger.warn({ realm: this.#realm, err: describeError(err) }, 'upstream unavailable for an admitted HELLO client');
      return this.#client.close(1011, `upstream unavailable: ${describeError(err)}`);
    }
    this.#connecting = undefined;
    unreserve();
    this.#ctx.pending.delete(this);
    if (this.#client.ended) {
      upstream.destroy();
      return;
    }
    if (this.#readmissions > 0 && firstMessage?.[0] === MessageType.WELCOME) {
      const authextra = (firstMessage[2] as { authextra?: Record<string, unknown> } | undefined)?.authextra ?? {};
      ctx.logger.warn({ realm: this.#realm, readmissions: this.#readmissions, worker: authextra.x_cb_proxy_worker, node: authextra.x_cb_proxy_node },
        `client for realm "${this.#realm}" joined after ${this.#readmissions} hidden no_such_realm refusal(s)`);
    }
    // Byte order: HELLO (sent), frames received while held, any partial frame — then raw both ways.
    const later = this.#client.release();
    if (later.length > 0) upstream.write(later);
    this.#socket.write(firstBytes);
    const waited = this.#ctx.clock.now() - this.#enteredAt;
    this.#outcome(d.held || this.#readmissions > 0 ? 'forwarded_after_wait' : 'forwarded', { ...d, waitedMs: waited, held: d.held || this.#readmissions > 0 });
    const handle = pipeBoth(this.#socket, upstream, () => untrack());
    const untrack = ctx.tunnels.add(this.#label, handle);
    this.#socket.resume();
    upstream.resume();
  }

  /** The upstream said no_such_realm: back to the head of the line after a bounded, growing delay. */
  #readmit(): void {
    const ctx = this.#ctx;
    this.#connecting = undefined;
    this.#readmissions++;
    ctx.metrics.readmission(this.#label);
    const delay = Math.min(ctx.config.hello.readmitMaxDelayMs, READMIT_BASE_DELAY_MS * 2 ** (this.#readmissions - 1));
    ctx.logger.warn({ realm: this.#realm, readmissions: this.#readmissions, delayMs: delay },
      `upstream refused realm "${this.#realm}" with no_such_realm although it was admitted - client re-queued`);
    if (this.#client.ended) return;
    const now = this.#ctx.clock.now();
    if (now + delay >= this.#deadline) {
      return this.#refuse({ admitted: false, reason: 'queue_timeout', waitedMs: now - this.#enteredAt, held: true });
    }
    // A pseudo-hold during the delay, so a hang-up or a drain is still noticed and counted once.
    this.#readmitTimer = this.#ctx.clock.setTimeout(() => {
      this.#readmitTimer = undefined;
      if (!this.#client.ended) this.#enter(true);
    }, delay);
  }

  /** Records the connection's one final outcome (later calls are ignored). */
  #outcome(outcome: Parameters<GateContext['metrics']['connection']>[1], d?: Decision): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#ctx.metrics.connection(this.#label, outcome);
    if (d?.held) this.#ctx.metrics.queueWait(this.#label, d.waitedMs / 1000, outcome);
  }
}

function abortCloseReason(reason: RejectReason): string {
  return reason === 'draining' ? 'realmgate is draining' : `realm not ready (${reason})`;
}
