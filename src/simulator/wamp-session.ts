/**
 * One client WebSocket of the simulated WAMP router: the opening handshake
 * (HELLO → WELCOME | ABORT | CHALLENGE → AUTHENTICATE → …), then hands messages to its realm.
 * Garbage never crashes the router: an undecodable or malformed message gets
 * ABORT wamp.error.protocol_violation and a 1002 close.
 */
import type { IncomingMessage } from 'node:http';
import { randomInt } from 'node:crypto';
import WebSocket from 'ws';
import type { Logger } from '../logger.js';
import { describeError } from '../errors.js';
import { MessageType as T, WampUri } from '../wamp/messages.js';
import { decodeMessages, encodeMessage, type WampSubprotocol } from '../wamp/serializers.js';
import { isPlainObject, isValidRealm } from '../wamp/hello.js';
import type { RealmPeer, RouterRealm } from '../wamp/router-realm.js';

export interface WelcomeInfo {
  authid: string;
  authrole: string;
  authmethod?: string;
  authprovider?: string;
  authextra?: Record<string, unknown>;
  /** The realm to join when HELLO named none (Crossbar's dynamic authenticators assign it). */
  realm?: string;
}

export type HelloDecision =
  | { welcome: WelcomeInfo }
  | { abort: { reason: string; message?: string; details?: Record<string, unknown> }; keepOpen?: boolean }
  | {
      challenge: { method: string; extra: Record<string, unknown> };
      /** Called with AUTHENTICATE's signature and extra; return welcome or abort (or another challenge). */
      authenticate(signature: string, extra: Record<string, unknown>): HelloDecision | Promise<HelloDecision>;
    };

export interface HelloContext {
  realm: string | null;
  details: Record<string, unknown>;
  /** 0-based index of this WebSocket connection on the router (in accept order). */
  connectionIndex: number;
  request: IncomingMessage;
}

/** What a session needs from its router. */
export interface SessionHost {
  readonly logger: Logger;
  decideHello(ctx: HelloContext): HelloDecision | Promise<HelloDecision>;
  realm(name: string): RouterRealm;
  count(what: 'hellos' | 'welcomes' | 'aborts'): void;
}

type State = 'hello' | 'challenge' | 'joined' | 'closed';

const ROUTER_ROLES = {
  broker: { features: { publisher_exclusion: true, pattern_based_subscription: true, session_meta_api: false } },
  dealer: { features: { progressive_call_results: true, caller_identification: true, call_canceling: false } },
};

export class WampSession implements RealmPeer {
  sessionId = 0;
  private state: State = 'hello';
  private joinedRealm: RouterRealm | undefined;
  private authenticate: ((sig: string, extra: Record<string, unknown>) => HelloDecision | Promise<HelloDecision>) | undefined;
  private pendingRealm: string | null = null;
  // Messages are processed strictly in order even though HELLO handling may be asynchronous.
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly sp: WampSubprotocol,
    private readonly request: IncomingMessage,
    readonly connectionIndex: number,
    private readonly host: SessionHost,
  ) {
    ws.on('message', (data: Buffer) => {
      this.queue = this.queue.then(() => this.receive(data)).catch((err: unknown) => this.internalError(err));
    });
    ws.on('close', () => this.closed());
    ws.on('error', (err) => host.logger.debug({ err }, 'client socket error'));
  }

  get isJoined(): boolean {
    return this.state === 'joined';
  }

  send(msg: unknown[]): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeMessage(this.sp, msg), { binary: this.sp.binary });
  }

  /** Close the socket (default 1001 going away); the session leaves its realm at once. */
  close(code = 1001, reason = 'router shutting down'): void {
    this.closed();
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
  }

  terminate(): void {
    this.closed();
    this.ws.terminate();
  }

  private async receive(data: Buffer): Promise<void> {
    if (this.state === 'closed') return;
    let messages: unknown[][];
    try {
      messages = decodeMessages(this.sp, data);
    } catch (err) {
      this.violation(describeError(err));
      return;
    }
    for (const msg of messages) {
      if (this.isClosed()) return;
      await this.dispatch(msg);
    }
  }

  private async dispatch(msg: unknown[]): Promise<void> {
    const type = msg[0];
    if (this.state === 'hello') {
      if (type !== T.HELLO) return this.violation(`expected HELLO, got message type ${String(type)}`);
      const [, realm, details] = msg;
      if (msg.length !== 3 || !(realm === null || isValidRealm(realm)) || !isPlainObject(details)) {
        return this.violation('malformed HELLO');
      }
      this.host.count('hellos');
      this.pendingRealm = realm;
      const ctx: HelloContext = { realm, details, connectionIndex: this.connectionIndex, request: this.request };
      return this.apply(await this.host.decideHello(ctx));
    }
    if (this.state === 'challenge') {
      const [, signature, extra] = msg;
      if (type !== T.AUTHENTICATE || typeof signature !== 'string' || !(extra === undefined || isPlainObject(extra)) || !this.authenticate) {
        return this.violation('expected AUTHENTICATE');
      }
      return this.apply(await this.authenticate(signature, extra ?? {}));
    }
    if (type === T.GOODBYE) {
      this.send([T.GOODBYE, {}, WampUri.GOODBYE_AND_OUT]);
      this.leaveRealm();
      this.state = 'hello';
      return;
    }
    if (!this.joinedRealm || !this.joinedRealm.handle(this, msg)) this.violation(`unexpected or malformed message type ${String(type)}`);
  }

  private apply(decision: HelloDecision): void {
    if (this.isClosed()) return;
    if ('challenge' in decision) {
      this.state = 'challenge';
      this.authenticate = decision.authenticate;
      this.send([T.CHALLENGE, decision.challenge.method, decision.challenge.extra]);
      return;
    }
    this.authenticate = undefined;
    if ('abort' in decision) {
      const { reason, message, details } = decision.abort;
      this.host.count('aborts');
      this.send([T.ABORT, { ...(message === undefined ? {} : { message }), ...details }, reason]);
      this.state = 'hello';
      // Crossbar leaves the socket open after ABORT and lets the client hang up.
      if (!decision.keepOpen) this.close(1000, 'aborted');
      return;
    }
    const info = decision.welcome;
    const realmName = info.realm ?? this.pendingRealm;
    if (realmName === null) {
      this.apply({ abort: { reason: WampUri.NO_SUCH_REALM, message: 'no realm assigned' }, keepOpen: true });
      return;
    }
    this.sessionId = randomInt(1, 2 ** 48);
    this.joinedRealm = this.host.realm(realmName);
    this.joinedRealm.join(this);
    this.state = 'joined';
    this.host.count('welcomes');
    this.send([T.WELCOME, this.sessionId, {
      realm: realmName,
      authid: info.authid,
      authrole: info.authrole,
      authmethod: info.authmethod ?? 'anonymous',
      authprovider: info.authprovider ?? 'static',
      ...(info.authextra === undefined ? {} : { authextra: info.authextra }),
      roles: ROUTER_ROLES,
    }]);
  }

  private violation(reason: string): void {
    if (this.state === 'closed') return;
    this.host.logger.debug({ reason, connection: this.connectionIndex }, 'WAMP protocol violation');
    this.send([T.ABORT, { message: reason }, WampUri.PROTOCOL_VIOLATION]);
    this.close(1002, 'protocol violation');
  }

  private internalError(err: unknown): void {
    this.host.logger.warn({ err, connection: this.connectionIndex }, 'WAMP session failed');
    if (this.state === 'closed') return;
    this.send([T.ABORT, { message: describeError(err) }, WampUri.AUTHENTICATION_FAILED]);
    this.close(1011, 'internal error');
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private leaveRealm(): void {
    this.joinedRealm?.leave(this);
    this.joinedRealm = undefined;
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.leaveRealm();
  }
}
