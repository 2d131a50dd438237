import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describeError, ErrorCodes, isRealmgateError, isRetryableUpstreamError } from '../errors.js';
import type { Outcome } from '../metrics.js';
import { isNoSuchRealmAbort } from '../wamp/abort.js';
import type { Hello } from '../wamp/hello.js';
import { MessageType } from '../wamp/messages.js';
import type { Decision, HeldClient } from '../proxy/admission.js';
import { REFUSALS, type RefusalReason } from '../proxy/reject.js';
import { countHelloRetry, type HelloRetryKind, nextHelloRetry, RETRY_GIVE_UP } from '../proxy/retry-delay.js';
import { type GateContext, outcomeForReject, type PendingClient, realmLabel } from '../proxy/gate-context.js';
import { type Cancel, cancel } from '../proxy/read-upstream.js';
import { startTunnel } from '../proxy/tunnel.js';

/** The upstream, opened for an admitted client, its HELLO sent and (with readmitOnAbort) its first answer read. */
export interface UpstreamOpened {
  upstream: Socket;
  /** The upstream's first WAMP message, decoded; undefined when not read or not decodable. */
  firstMessage: unknown[] | undefined;
  /** Upstream bytes for the client before piping: the first message's frame and all after it. */
  toClient: Buffer;
}

/**
 * What the transport-neutral hold needs from a client transport that names its realm only in
 * HELLO: the RawSocket session today; the WebSocket HELLO peek could use the same after the merge.
 */
export interface HelloTransport {
  readonly socket: Duplex;
  /** The client left or was closed. */
  readonly ended: boolean;
  /**
   * Opens the upstream, replays the client's opening (handshake + HELLO), reads the first answer
   * (a WELCOME is decoded only with `welcomeToo`: wamp/hello.ts upstreamFirstMessage).
   */
  openUpstream(gone: Cancel, welcomeToo: boolean): Promise<UpstreamOpened>;
  /** An ABORT in the client's serializer saying why (REFUSALS: retry guidance only where a retry can help), then close. */
  refuse(message: string, retryAfterSeconds: number | undefined, reason: RefusalReason): void;
  /** An admitted client whose upstream failed: close so the client's own retry starts. */
  failUpstream(reason: string): void;
  /** Stops reading; the client's bytes after its HELLO (held frames, then any partial frame). */
  release(): Buffer;
}

/** One final outcome per connection, whichever stage ends it (later calls are ignored). */
export class OutcomeOnce {
  #settled = false;
  constructor(readonly ctx: GateContext) {}

  get settled(): boolean {
    return this.#settled;
  }

  record(label: string, outcome: Outcome, d?: { waitedMs: number; held: boolean }, socket?: Duplex): void {
    if (this.#settled) return;
    this.#settled = true;
    this.ctx.metrics.connection(label, outcome, socket ? { socket, waitedMs: d?.waitedMs ?? 0 } : undefined);
    if (d?.held) this.ctx.metrics.queueWait(label, d.waitedMs / 1000, outcome);
  }
}

/**
 * A client whose HELLO has been read: admitted, held or refused through ctx.admission, exactly
 * as a WebSocket HELLO-peek client — same queues, caps, deadlines, outcomes and log lines. Held
 * clients cost no upstream connection. On admission the upstream is opened; an upstream ABORT
 * `no_such_realm` for a guarded realm (a worker without routes yet) is hidden and the client
 * re-queued at the head of its realm's line, with its original deadline, after a growing delay.
 */
export class HelloHold {
  readonly #ctx: GateContext;
  readonly #t: HelloTransport;
  readonly #hello: Hello;
  readonly #pending: PendingClient;
  readonly #outcome: OutcomeOnce;
  readonly #enteredAt: number;
  readonly #deadline: number;
  #held: HeldClient | undefined;
  #readmitTimer: ReturnType<GateContext['clock']['setTimeout']> | undefined;
  #connecting: Cancel | undefined;
  #readmissions = 0;

  constructor(ctx: GateContext, t: HelloTransport, hello: Hello, pending: PendingClient, outcome: OutcomeOnce) {
    this.#ctx = ctx;
    this.#t = t;
    this.#hello = hello;
    this.#pending = pending;
    this.#outcome = outcome;
    this.#enteredAt = ctx.clock.now();
    this.#deadline = this.#enteredAt + ctx.policyFor(hello.realm).queueTimeoutMs;
  }

  get #realm(): string {
    return this.#hello.realm;
  }

  get #label(): string {
    return realmLabel(this.#ctx, this.#hello.realm);
  }

  start(): void {
    if (!this.#ctx.registry.isKnown(this.#realm)) {
      // A draining gate opens no new tunnel, guarded realm or not (admission answers guarded ones).
      if (this.#ctx.admission.draining) return this.#refuse('draining');
      if (this.#ctx.config.unknownRealm !== 'pass') return this.#refuse('realm_not_served');
      // Discovery still converging: an unknown realm may be an arealm about to be guarded - hold it.
      if (!this.#ctx.registry.holdUnknown()) return void this.#connect({ admitted: true, waitedMs: 0, held: false });
    }
    this.#enter(false);
  }

  /** Drain: only a client waiting for its re-admission delay is ours to answer (queued ones: admission.drain()). */
  drain(): boolean {
    if (!this.#readmitTimer) return false;
    this.#clearReadmit();
    this.#refuse('draining', { waitedMs: this.#ctx.clock.now() - this.#enteredAt, held: true });
    return true;
  }

  /** The client left (or broke the protocol) while held, connecting or waiting: undo all of it. */
  clientEnded(outcome: Outcome): void {
    this.#stop();
    this.#outcome.record(this.#label, outcome, undefined, this.#t.socket);
  }

  /** Cuts everything this hold started (the transport destroys the client socket). */
  destroy(): void {
    this.#stop();
  }

  #stop(): void {
    this.#clearReadmit();
    this.#ctx.pending.delete(this.#pending);
    this.#held?.cancel();
    this.#held = undefined;
    if (this.#connecting) cancel(this.#connecting);
  }

  #clearReadmit(): void {
    if (this.#readmitTimer) this.#ctx.clock.clearTimeout(this.#readmitTimer);
    this.#readmitTimer = undefined;
  }

  #enter(front: boolean): void {
    // Re-admittable (hello.readmitOnAbort), so a partly routed realm may admit it (readiness.partial: readmit).
    const readmittable = this.#ctx.config.hello.readmitOnAbort;
    const opts = front ? { front: true, deadline: this.#deadline, enteredAt: this.#enteredAt, readmittable } : { readmittable };
    this.#held = this.#ctx.admission.enter(this.#realm, (d) => {
      this.#held = undefined;
      if (d.admitted) void this.#connect(d);
      else this.#refuse(d.reason, d);
    }, opts);
  }

  #refuse(reason: RefusalReason, d?: { waitedMs: number; held: boolean }): void {
    this.#ctx.pending.delete(this.#pending);
    this.#outcome.record(this.#label, outcomeForReject[reason], d, this.#t.socket);
    const r = REFUSALS[reason];
    this.#t.refuse(r.message(this.#realm), r.retry ? this.#ctx.policyFor(this.#realm).retryAfterSeconds : undefined, reason);
  }

  async #connect(d: Extract<Decision, { admitted: true }>): Promise<void> {
    const ctx = this.#ctx;
    const gone: Cancel = { cancelled: false };
    this.#connecting = gone;
    // Counted for drain while connecting; destroy() cuts it.
    const unreserve = ctx.tunnels.reserve({ destroy: () => { cancel(gone); this.#t.socket.destroy(); } });
    let opened: UpstreamOpened;
    try {
      opened = await this.#t.openUpstream(gone, this.#readmissions > 0);
    } catch (err) {
      this.#connecting = undefined;
      unreserve();
      if (this.#t.ended || isRealmgateError(err, ErrorCodes.CLOSED)) return void ctx.pending.delete(this.#pending);
      // Refused or reset before it answered: the gate still holds the HELLO, so the client waits and tries again.
      if (isRetryableUpstreamError(err)) return this.#readmit('upstream_failed');
      ctx.pending.delete(this.#pending);
      this.#outcome.record(this.#label, 'upstream_error', d, this.#t.socket);
      ctx.warnings.note('upstream_unavailable', this.#label, { err: describeError(err) });
      return this.#t.failUpstream('upstream unavailable');
    }
    this.#connecting = undefined;
    unreserve();
    const { upstream, firstMessage } = opened;
    // Only a guarded realm can be waited for; an unknown (passed) realm's refusal is the upstream's answer.
    if (ctx.config.hello.readmitOnAbort && firstMessage && isNoSuchRealmAbort(firstMessage) && ctx.registry.isKnown(this.#realm)) {
      upstream.destroy();
      return this.#readmit('no_such_realm');
    }
    ctx.pending.delete(this.#pending);
    if (this.#t.ended) {
      upstream.destroy();
      return;
    }
    if (upstream.destroyed) {
      // It failed after its first answer and before the pipe: the client's retry starts now.
      this.#outcome.record(this.#label, 'upstream_error', d, this.#t.socket);
      return this.#t.failUpstream('upstream closed before the tunnel started');
    }
    if (this.#readmissions > 0 && firstMessage?.[0] === MessageType.WELCOME) {
      const authextra = (firstMessage[2] as { authextra?: Record<string, unknown> } | undefined)?.authextra ?? {};
      ctx.warnings.note('joined_after_readmission', this.#label, { readmissions: this.#readmissions, worker: authextra.x_cb_proxy_worker, node: authextra.x_cb_proxy_node });
    }
    // Byte order: HELLO (sent by openUpstream), frames received while held, any partial frame — then raw both ways.
    const later = this.#t.release();
    if (later.length > 0) upstream.write(later);
    const socket = this.#t.socket;
    if (opened.toClient.length > 0) socket.write(opened.toClient);
    const held = d.held || this.#readmissions > 0;
    this.#outcome.record(this.#label, held ? 'forwarded_after_wait' : 'forwarded', { waitedMs: ctx.clock.now() - this.#enteredAt, held }, socket);
    startTunnel(ctx.tunnels, this.#label, socket, upstream);
  }

  /**
   * The upstream said no_such_realm, or refused/reset before answering: back to the head of the
   * line after a bounded, growing delay; the last try lands on the real deadline (retryDelay).
   */
  #readmit(kind: HelloRetryKind): void {
    const ctx = this.#ctx;
    this.#readmissions++;
    countHelloRetry(ctx, kind, this.#label);
    if (this.#t.ended) return void ctx.pending.delete(this.#pending);
    const now = ctx.clock.now();
    const delay = nextHelloRetry(ctx, kind, this.#label, this.#readmissions, now, this.#deadline);
    if (delay === undefined) return this.#refuse(RETRY_GIVE_UP[kind], { waitedMs: now - this.#enteredAt, held: true });
    // A pseudo-hold during the delay, so a hang-up or a drain is still noticed and counted once.
    this.#readmitTimer = ctx.clock.setTimeout(() => {
      this.#readmitTimer = undefined;
      if (this.#t.ended) return;
      if (ctx.registry.isKnown(this.#realm)) this.#enter(true);
      else void this.#connect({ admitted: true, waitedMs: ctx.clock.now() - this.#enteredAt, held: true });
    }, delay);
  }
}
