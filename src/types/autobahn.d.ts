/**
 * Minimal types for autobahn-js 22.11.1 (it ships none). Covers what realmgate's tests, demo and
 * Crossbar management client use. Selecting a serializer in Node: pass BOTH `serializers`
 * (instances) and `protocols` (`wamp.2.<id>` names, in preference order), e.g.
 *   new autobahn.Connection({ url, realm, protocols: ['wamp.2.cbor'], serializers: [new autobahn.serializer.CBORSerializer()] })
 * Without `serializers` autobahn offers json and msgpack; with `serializers` but no `protocols`
 * it derives the protocol list from the serializers' SERIALIZER_ID.
 */
declare module 'autobahn' {
  export interface Serializer {
    readonly SERIALIZER_ID: string;
    readonly BINARY: boolean;
    serialize(obj: unknown): unknown;
    unserialize(payload: unknown): unknown;
  }

  export const serializer: {
    JSONSerializer: new (replacer?: unknown, reviver?: unknown) => Serializer;
    MsgpackSerializer: new () => Serializer;
    CBORSerializer: new () => Serializer;
  };

  export interface TransportInfo { type: string; url: string; protocol: string | null }

  export interface TransportDefinition {
    type: 'websocket' | 'rawsocket' | 'longpoll' | string;
    url?: string;
    protocols?: string[];
    serializers?: Serializer[];
    [key: string]: unknown;
  }

  export interface ConnectionOptions {
    url?: string;
    realm: string | null;
    transports?: TransportDefinition[];
    /** WebSocket subprotocols offered, e.g. ['wamp.2.msgpack']. */
    protocols?: string[];
    serializers?: Serializer[];
    authmethods?: string[];
    authid?: string;
    authrole?: string;
    authextra?: Record<string, unknown>;
    onchallenge?: (session: Session, method: string, extra: Record<string, unknown>) =>
      string | [string, Record<string, unknown>] | Promise<string | [string, Record<string, unknown>]>;
    /** Reconnect attempts; 0 disables, -1 is unlimited. Default 15. */
    max_retries?: number;
    /** Seconds. Default 1.5. */
    initial_retry_delay?: number;
    /** Seconds. Default 300. */
    max_retry_delay?: number;
    retry_delay_growth?: number;
    retry_delay_jitter?: number;
    /** Default true. */
    retry_if_unreachable?: boolean;
    /** Seconds between pings (Node `ws` transport). Default 10. */
    autoping_interval?: number;
    /** Seconds to wait for the pong. Default 5. */
    autoping_timeout?: number;
    autoping_size?: number;
    use_es6_promises?: boolean;
    use_deferred?: unknown;
    headers?: Record<string, string>;
    tlsConfiguration?: Record<string, unknown>;
    on_user_error?: (error: unknown, message: string) => void;
    on_internal_error?: (error: unknown, message: string) => void;
    [key: string]: unknown;
  }

  export interface CloseDetails {
    reason: string | null;
    message: string | null;
    retry_delay: number | null;
    retry_count: number | null;
    will_retry: boolean;
  }

  /** 'closed' | 'lost' | 'unreachable' | 'unsupported' */
  export type CloseReason = 'closed' | 'lost' | 'unreachable' | 'unsupported' | string;

  export class Connection {
    constructor(options: ConnectionOptions);
    open(): void;
    close(reason?: string, message?: string): void;
    readonly session: Session | null;
    readonly isOpen: boolean;
    readonly isConnected: boolean;
    readonly isRetrying: boolean;
    readonly transport: unknown;
    readonly defer: unknown;
    onopen: ((session: Session, details: Record<string, unknown>) => void) | null;
    /** Return true to stop retrying. */
    onclose: ((reason: CloseReason, details: CloseDetails) => boolean | void) | null;
  }

  export interface CallOptions { timeout?: number; receive_progress?: boolean; disclose_me?: boolean; [key: string]: unknown }
  export interface PublishOptions { acknowledge?: boolean; exclude_me?: boolean; [key: string]: unknown }
  export interface SubscribeOptions { match?: 'exact' | 'prefix' | 'wildcard'; get_retained?: boolean; [key: string]: unknown }
  export interface RegisterOptions { match?: 'exact' | 'prefix' | 'wildcard'; invoke?: string; [key: string]: unknown }

  export class Result { constructor(args?: unknown[], kwargs?: Record<string, unknown>); args: unknown[]; kwargs: Record<string, unknown> }
  export class Error { constructor(error: string, args?: unknown[], kwargs?: Record<string, unknown>); error: string; args: unknown[]; kwargs: Record<string, unknown> }

  export interface Subscription { id: number; topic: string; active: boolean }
  export interface Registration { id: number; procedure: string; active: boolean }
  export interface Publication { id: number }
  export interface EventDetails { publication: number; topic?: string; publisher?: number; [key: string]: unknown }
  export interface InvocationDetails { procedure?: string; caller?: number; progress?: (args: unknown[]) => void; [key: string]: unknown }

  export class Session {
    readonly id: number | null;
    readonly realm: string | null;
    readonly isOpen: boolean;
    readonly features: Record<string, unknown> | null;
    readonly subscriptions: Subscription[][];
    readonly registrations: Registration[];
    /** Resolves with the single positional result, or a Result when there are several/kwargs. */
    call<R = unknown>(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: CallOptions): Promise<R>;
    register(
      procedure: string,
      endpoint: (args: unknown[], kwargs: Record<string, unknown>, details: InvocationDetails) => unknown,
      options?: RegisterOptions,
    ): Promise<Registration>;
    unregister(registration: Registration): Promise<void>;
    subscribe(
      topic: string,
      handler: (args: unknown[], kwargs: Record<string, unknown>, details: EventDetails) => void,
      options?: SubscribeOptions,
    ): Promise<Subscription>;
    unsubscribe(subscription: Subscription): Promise<boolean>;
    publish(topic: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: PublishOptions): Promise<Publication> | undefined;
    leave(reason?: string, message?: string): void;
    log(...args: unknown[]): void;
  }

  export interface NaclKeyPair { publicKey: Uint8Array; secretKey: Uint8Array }

  /** `sign_challenge` returns hex(signature) + hex(challenge): 192 hex chars, as Crossbar expects. */
  export const auth_cryptosign: {
    sign_challenge(keyPair: { secretKey: Uint8Array }, extra: { challenge: string; [key: string]: unknown }): string;
    public_key(keyPair: { publicKey: Uint8Array }): string;
    load_private_key(name: string, forceRegenerate?: boolean): NaclKeyPair;
  };

  /** The bundled tweetnacl. */
  export const nacl: {
    randomBytes(n: number): Uint8Array;
    sign: {
      keyPair: { fromSeed(seed: Uint8Array): NaclKeyPair };
      detached(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
      seedLength: number;
    };
  };

  export const version: string;
  export const transports: { register(name: string, factory: unknown): void; get(name: string): unknown };
  export const log: { debug(...args: unknown[]): void; warn(...args: unknown[]): void };

  const autobahn: {
    Connection: typeof Connection;
    Session: typeof Session;
    Result: typeof Result;
    Error: typeof Error;
    serializer: typeof serializer;
    auth_cryptosign: typeof auth_cryptosign;
    nacl: typeof nacl;
    version: string;
    transports: typeof transports;
    log: typeof log;
  };
  export default autobahn;
}
