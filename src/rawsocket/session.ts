import type { Duplex } from 'node:stream';
import { describeError, isRealmgateError } from '../errors.js';
import { encodeAbort, refusalAbort } from '../wamp/abort.js';
import { decodeHello } from '../wamp/hello.js';
import { WampUri } from '../wamp/messages.js';
import type { RefusalReason } from '../proxy/reject.js';
import { type GateContext, type PendingClient, realmLabel } from '../proxy/gate-context.js';
import type { Cancel } from '../proxy/read-upstream.js';
import type { Upstream } from '../proxy/tunnel.js';
import { type ClientEnd, type FirstMessage, RawSocketClient } from './client.js';
import { HelloHold, type HelloTransport, OutcomeOnce, type UpstreamOpened } from './hello-hold.js';
import { openUpstreamRawSocket } from './upstream.js';
import { encodeHandshakeError, RawSocketError } from './framing.js';

/** Takes a client socket whose first bytes (`first`, starting with 0x7F) were already read. */
export type RawSocketHandler = (socket: Duplex, first: Buffer) => void;

/**
 * RawSocket clients (WAMP over TCP): the realm is only ever in HELLO, so every RawSocket client
 * is read up to its HELLO and then held, admitted or refused like a WebSocket HELLO-peek client.
 */
export function createRawSocketHandler(ctx: GateContext, upstream: Upstream): RawSocketHandler {
  return (socket, first) => {
    // From here on the socket is ours: an error must never reach the process.
    socket.on('error', () => {});
    const charge = ctx.budget.open(first.length);
    if (!charge) {
      // Over the pre-admission memory budget: the spec's "maximum connection count reached" reply
      // (a client may retry later), then close; nothing of it is kept.
      ctx.metrics.connection(realmLabel(ctx, undefined), 'rejected_overload', { socket });
      socket.end(encodeHandshakeError(RawSocketError.MAX_CONNECTIONS));
      const t = setTimeout(() => socket.destroy(), 1000);
      t.unref();
      socket.once('close', () => clearTimeout(t));
      return;
    }
    new RawSocketSession(ctx, upstream, new RawSocketClient(socket, ctx.config.hello.maxBytes, charge)).start(first);
  };
}

class RawSocketSession implements PendingClient, HelloTransport {
  pendingSlot = -1;
  readonly #ctx: GateContext;
  readonly #upstream: Upstream;
  readonly #client: RawSocketClient;
  readonly #outcome: OutcomeOnce;
  #first: FirstMessage | undefined;
  #hold: HelloHold | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(ctx: GateContext, upstream: Upstream, client: RawSocketClient) {
    this.#ctx = ctx;
    this.#upstream = upstream;
    this.#client = client;
    this.#outcome = new OutcomeOnce(ctx);
  }

  get socket(): Duplex {
    return this.#client.socket;
  }

  get ended(): boolean {
    return this.#client.ended;
  }

  start(first: Buffer): void {
    this.#ctx.pending.add(this);
    const timeoutMs = this.#ctx.config.hello.timeoutMs;
    // One deadline for the handshake and the HELLO, as for the WebSocket peek.
    this.#timer = setTimeout(() => {
      this.#ctx.pending.delete(this);
      this.#outcome.record(realmLabel(this.#ctx, undefined), 'bad_request');
      this.#client.close();
    }, timeoutMs);
    this.#timer.unref();
    this.#client.start(first, { first: (m) => this.#onFirst(m), end: (e) => this.#onEnd(e) });
  }

  /** Drain: a client without a HELLO yet is closed now; a held one is the hold's (or admission's). */
  drain(): boolean {
    if (this.#hold) return this.#hold.drain();
    clearTimeout(this.#timer);
    this.#ctx.pending.delete(this);
    this.#outcome.record(realmLabel(this.#ctx, undefined), 'draining', undefined, this.#client.socket);
    this.#client.close();
    return true;
  }

  destroy(): void {
    clearTimeout(this.#timer);
    this.#hold?.destroy();
    this.#ctx.pending.delete(this);
    this.#client.socket.destroy();
  }

  #onFirst(m: FirstMessage): void {
    clearTimeout(this.#timer);
    const sp = this.#client.handshake!.sp;
    let hello;
    try {
      hello = decodeHello(sp, m.payload);
    } catch (err) {
      this.#ctx.pending.delete(this);
      this.#outcome.record(realmLabel(this.#ctx, undefined), 'bad_request');
      const reason = isRealmgateError(err) ? String(err.details?.reason ?? err.message) : describeError(err);
      // No close codes in RawSocket: the reason goes in an ABORT, as a router answers a bad HELLO.
      return this.#client.sendAndClose(encodeAbort(sp, WampUri.PROTOCOL_VIOLATION, { message: `invalid HELLO: ${reason}` }));
    }
    this.#first = m;
    this.#hold = new HelloHold(this.#ctx, this, hello, this, this.#outcome);
    this.#hold.start();
  }

  #onEnd(e: ClientEnd): void {
    clearTimeout(this.#timer);
    const outcome = e.kind === 'gone' ? 'client_gone' : 'bad_request';
    if (this.#hold) return this.#hold.clientEnded(outcome);
    this.#ctx.pending.delete(this);
    this.#outcome.record(realmLabel(this.#ctx, undefined), outcome);
  }

  // HelloTransport

  openUpstream(gone: Cancel, welcomeToo: boolean): Promise<UpstreamOpened> {
    return openUpstreamRawSocket(this.#upstream, this.#client.handshake!, this.#first!.raw, gone, this.#ctx.config.hello.readmitOnAbort, welcomeToo);
  }

  refuse(message: string, retryAfterSeconds: number | undefined, _reason: RefusalReason): void {
    this.#client.sendAndClose(refusalAbort(this.#client.handshake!.sp, message, retryAfterSeconds));
  }

  failUpstream(): void {
    // As a lost transport (WebSocket: close 1011): the client's reconnect logic takes over.
    this.#client.close();
  }

  release(): Buffer {
    return this.#client.release();
  }
}
