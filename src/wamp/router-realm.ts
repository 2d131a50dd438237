/**
 * One realm of the simulated WAMP router: dealer (REGISTER/CALL/INVOCATION/YIELD) and broker
 * (SUBSCRIBE/PUBLISH/EVENT) between the sessions joined to it, plus in-process procedures.
 * Basic profile plus the few advanced bits clients commonly use (pattern subscriptions,
 * progressive results, exclude_me, acknowledge).
 */
import type { Logger } from '../logger.js';
import { MessageType as T, WampUri } from './messages.js';
import { WampError } from './wamp-error.js';
import { parseMatchPolicy, topicMatches, type MatchPolicy } from './topic-match.js';

/** A joined session as the realm sees it. `send` must be a no-op once the session is gone. */
export interface RealmPeer {
  readonly sessionId: number;
  send(msg: unknown[]): void;
}

/** An in-process procedure. See WampRouter.register for how results map to RESULT. */
export type ProcedureHandler = (
  args: unknown[],
  kwargs: Record<string, unknown>,
  details: { caller: number; procedure: string },
) => unknown;

interface Registration { id: number; procedure: string; callee: RealmPeer | ProcedureHandler }
interface Subscription { id: number; topic: string; match: MatchPolicy; subscribers: Set<RealmPeer> }
interface PendingInvocation { caller: RealmPeer; request: number; callee: RealmPeer }

/** Router-scope id source (registration, subscription, publication, invocation ids). */
export type NextId = () => number;

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isUri = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optList = (v: unknown): v is unknown[] | undefined | null => v === undefined || v === null || Array.isArray(v);
const optDict = (v: unknown): v is Record<string, unknown> | undefined | null => v === undefined || v === null || isDict(v);

/** `[...head, args, kwargs]` without trailing empties (WAMP allows omitting them). */
function withPayload(head: unknown[], args?: unknown[] | null, kwargs?: Record<string, unknown> | null): unknown[] {
  if (kwargs && Object.keys(kwargs).length > 0) return [...head, args ?? [], kwargs];
  if (args) return [...head, args];
  return head;
}

export class RouterRealm {
  private readonly registrations = new Map<string, Registration>();
  private readonly subscriptions = new Map<number, Subscription>();
  private readonly invocations = new Map<number, PendingInvocation>();
  readonly sessions = new Map<number, RealmPeer>();

  constructor(readonly name: string, private readonly nextId: NextId, private readonly logger: Logger) {}

  join(peer: RealmPeer): void {
    this.sessions.set(peer.sessionId, peer);
  }

  /** Forget everything the peer owned; callers waiting on its invocations get wamp.error.canceled. */
  leave(peer: RealmPeer): void {
    this.sessions.delete(peer.sessionId);
    for (const [procedure, reg] of this.registrations) if (reg.callee === peer) this.registrations.delete(procedure);
    for (const [id, sub] of this.subscriptions) {
      sub.subscribers.delete(peer);
      if (sub.subscribers.size === 0) this.subscriptions.delete(id);
    }
    for (const [id, inv] of this.invocations) {
      if (inv.callee === peer) inv.caller.send([T.ERROR, T.CALL, inv.request, {}, WampUri.CANCELED, ['callee left']]);
      if (inv.callee === peer || inv.caller === peer) this.invocations.delete(id);
    }
  }

  /** Register an in-process procedure; replaces an earlier in-process one of the same name. */
  registerLocal(procedure: string, handler: ProcedureHandler): void {
    this.registrations.set(procedure, { id: this.nextId(), procedure, callee: handler });
  }

  /** Publish from the router itself to every matching subscriber. */
  publishLocal(topic: string, args?: unknown[], kwargs?: Record<string, unknown>): void {
    this.deliver(topic, this.nextId(), args, kwargs, undefined);
  }

  /** Handle a message of a joined session. Returns false on a protocol violation. */
  handle(peer: RealmPeer, msg: unknown[]): boolean {
    const [type, a, b, c, d, e, f] = msg;
    switch (type) {
      case T.PUBLISH:
        if (!isId(a) || !isDict(b) || !isUri(c) || !optList(d) || !optDict(e)) return false;
        this.onPublish(peer, a, b, c, d, e);
        return true;
      case T.SUBSCRIBE:
        if (!isId(a) || !isDict(b) || !isUri(c)) return false;
        this.onSubscribe(peer, a, b, c);
        return true;
      case T.UNSUBSCRIBE:
        if (!isId(a) || !isId(b)) return false;
        this.onUnsubscribe(peer, a, b);
        return true;
      case T.CALL:
        if (!isId(a) || !isDict(b) || !isUri(c) || !optList(d) || !optDict(e)) return false;
        this.onCall(peer, a, c, d ?? [], e ?? {});
        return true;
      case T.REGISTER:
        if (!isId(a) || !isDict(b) || !isUri(c)) return false;
        this.onRegister(peer, a, c);
        return true;
      case T.UNREGISTER:
        if (!isId(a) || !isId(b)) return false;
        this.onUnregister(peer, a, b);
        return true;
      case T.YIELD:
        if (!isId(a) || !isDict(b) || !optList(c) || !optDict(d)) return false;
        this.onYield(peer, a, b, c, d);
        return true;
      case T.ERROR:
        if (a !== T.INVOCATION || !isId(b) || !isDict(c) || !isUri(d) || !optList(e) || !optDict(f)) return false;
        this.onInvocationError(peer, b, c, d, e, f);
        return true;
      case T.CANCEL:
        return true; // cancellation is not simulated; the call completes normally
      default:
        return false;
    }
  }

  private onPublish(peer: RealmPeer, request: number, options: Record<string, unknown>, topic: string,
    args?: unknown[] | null, kwargs?: Record<string, unknown> | null): void {
    const publication = this.nextId();
    this.deliver(topic, publication, args, kwargs, options['exclude_me'] === false ? undefined : peer);
    if (options['acknowledge'] === true) peer.send([T.PUBLISHED, request, publication]);
  }

  private deliver(topic: string, publication: number, args?: unknown[] | null, kwargs?: Record<string, unknown> | null,
    exclude?: RealmPeer): void {
    for (const sub of this.subscriptions.values()) {
      if (!topicMatches(sub.topic, sub.match, topic)) continue;
      const details = sub.match === 'exact' ? {} : { topic };
      for (const s of sub.subscribers) {
        if (s !== exclude) s.send(withPayload([T.EVENT, sub.id, publication, details], args, kwargs));
      }
    }
  }

  private onSubscribe(peer: RealmPeer, request: number, options: Record<string, unknown>, topic: string): void {
    const match = parseMatchPolicy(options['match']);
    if (!match) {
      peer.send([T.ERROR, T.SUBSCRIBE, request, {}, WampUri.INVALID_ARGUMENT, ['unknown match policy']]);
      return;
    }
    let sub = [...this.subscriptions.values()].find((s) => s.topic === topic && s.match === match);
    if (!sub) {
      sub = { id: this.nextId(), topic, match, subscribers: new Set() };
      this.subscriptions.set(sub.id, sub);
    }
    sub.subscribers.add(peer);
    peer.send([T.SUBSCRIBED, request, sub.id]);
  }

  private onUnsubscribe(peer: RealmPeer, request: number, id: number): void {
    const sub = this.subscriptions.get(id);
    if (!sub || !sub.subscribers.delete(peer)) {
      peer.send([T.ERROR, T.UNSUBSCRIBE, request, {}, WampUri.NO_SUCH_SUBSCRIPTION]);
      return;
    }
    if (sub.subscribers.size === 0) this.subscriptions.delete(id);
    peer.send([T.UNSUBSCRIBED, request]);
  }

  private onRegister(peer: RealmPeer, request: number, procedure: string): void {
    if (this.registrations.has(procedure)) {
      peer.send([T.ERROR, T.REGISTER, request, {}, WampUri.PROCEDURE_ALREADY_EXISTS, [`procedure "${procedure}" is already registered`]]);
      return;
    }
    const reg: Registration = { id: this.nextId(), procedure, callee: peer };
    this.registrations.set(procedure, reg);
    peer.send([T.REGISTERED, request, reg.id]);
  }

  private onUnregister(peer: RealmPeer, request: number, id: number): void {
    const reg = [...this.registrations.values()].find((r) => r.id === id && r.callee === peer);
    if (!reg) {
      peer.send([T.ERROR, T.UNREGISTER, request, {}, WampUri.NO_SUCH_REGISTRATION]);
      return;
    }
    this.registrations.delete(reg.procedure);
    peer.send([T.UNREGISTERED, request]);
  }

  private onCall(peer: RealmPeer, request: number, procedure: string, args: unknown[], kwargs: Record<string, unknown>): void {
    const reg = this.registrations.get(procedure);
    if (!reg) {
      peer.send([T.ERROR, T.CALL, request, {}, WampUri.NO_SUCH_PROCEDURE, [`no callee registered for procedure <${procedure}>`]]);
      return;
    }
    if (typeof reg.callee === 'function') {
      void this.callLocal(peer, request, procedure, reg.callee, args, kwargs);
      return;
    }
    const invocation = this.nextId();
    this.invocations.set(invocation, { caller: peer, request, callee: reg.callee });
    reg.callee.send(withPayload([T.INVOCATION, invocation, reg.id, { caller: peer.sessionId, procedure }], args, kwargs));
  }

  private async callLocal(peer: RealmPeer, request: number, procedure: string, handler: ProcedureHandler,
    args: unknown[], kwargs: Record<string, unknown>): Promise<void> {
    try {
      const value: unknown = await handler(args, kwargs, { caller: peer.sessionId, procedure });
      const result = toResult(value);
      peer.send(withPayload([T.RESULT, request, {}], result.args, result.kwargs));
    } catch (err) {
      if (err instanceof WampError) {
        peer.send(withPayload([T.ERROR, T.CALL, request, {}, err.uri], err.args, err.kwargs));
        return;
      }
      this.logger.warn({ err, realm: this.name, procedure }, 'in-process procedure failed');
      peer.send([T.ERROR, T.CALL, request, {}, WampUri.RUNTIME_ERROR, [err instanceof Error ? err.message : String(err)]]);
    }
  }

  private onYield(peer: RealmPeer, invocation: number, options: Record<string, unknown>,
    args?: unknown[] | null, kwargs?: Record<string, unknown> | null): void {
    const inv = this.invocations.get(invocation);
    if (!inv || inv.callee !== peer) return; // late yield after the caller left: drop, as Crossbar does
    const progress = options['progress'] === true;
    if (!progress) this.invocations.delete(invocation);
    inv.caller.send(withPayload([T.RESULT, inv.request, progress ? { progress: true } : {}], args, kwargs));
  }

  private onInvocationError(peer: RealmPeer, invocation: number, details: Record<string, unknown>, uri: string,
    args?: unknown[] | null, kwargs?: Record<string, unknown> | null): void {
    const inv = this.invocations.get(invocation);
    if (!inv || inv.callee !== peer) return;
    this.invocations.delete(invocation);
    inv.caller.send(withPayload([T.ERROR, T.CALL, inv.request, details, uri], args, kwargs));
  }
}

/**
 * Procedure return value → RESULT payload: an array is the args list; `{ args?, kwargs? }` (only
 * those keys, args an array, kwargs a dict) is taken as is; anything else is the single argument
 * (undefined becomes null, as a Python callee returning None gives `[null]`).
 */
export function toResult(value: unknown): { args: unknown[]; kwargs?: Record<string, unknown> } {
  if (Array.isArray(value)) return { args: value };
  if (isDict(value) && Object.getPrototypeOf(value) === Object.prototype) {
    const keys = Object.keys(value);
    const shaped = keys.length > 0 && keys.every((k) => k === 'args' || k === 'kwargs');
    if (shaped && (value['args'] === undefined || Array.isArray(value['args'])) && (value['kwargs'] === undefined || isDict(value['kwargs']))) {
      const kwargs = value['kwargs'] as Record<string, unknown> | undefined;
      return kwargs ? { args: (value['args'] as unknown[] | undefined) ?? [], kwargs } : { args: (value['args'] as unknown[] | undefined) ?? [] };
    }
  }
  return { args: [value === undefined ? null : value] };
}
