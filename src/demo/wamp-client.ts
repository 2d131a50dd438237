/**
 * One demo WAMP client: autobahn-js (what browser and Node apps use against Crossbar), one
 * attempt, no retry — so a refusal is counted exactly once, as the user of a client without a
 * retry loop would see it.
 */
import autobahn, { type Serializer, type Session } from 'autobahn';

// autobahn-js prints every close and abort through console.warn; the demo prints its own timeline.
autobahn.log.warn = () => undefined;

export const DEMO_SERIALIZERS = ['json', 'msgpack', 'cbor'] as const;
export type DemoSerializer = (typeof DEMO_SERIALIZERS)[number];

/** How one attempt ended. `at` values are performance.now() milliseconds. */
export type JoinOutcome =
  | { kind: 'joined'; at: number; worker: string | null; session: Session; details: Record<string, unknown>; close(): void }
  | { kind: 'refused'; at: number; reason: string | null; message: string | null };

function serializerFor(id: DemoSerializer): Serializer {
  if (id === 'msgpack') return new autobahn.serializer.MsgpackSerializer();
  if (id === 'cbor') return new autobahn.serializer.CBORSerializer();
  return new autobahn.serializer.JSONSerializer();
}

/**
 * Opens a WebSocket to `url` speaking only `wamp.2.<serializer>` and joins `realm` once; a
 * `tcp://host:port` url uses autobahn-js's Node RawSocket transport instead (JSON only: its
 * RawSocket protocol implements no other serializer).
 * Resolves `joined` (with the proxy worker named in WELCOME.authextra, and `close()`, safe to
 * call twice) or `refused` (the ABORT/close reason). Never rejects.
 */
export function joinOnce(url: string, realm: string, serializer: DemoSerializer): Promise<JoinOutcome> {
  return new Promise((resolve) => {
    const tcp = url.startsWith('tcp://') ? new URL(url) : undefined;
    const connection = new autobahn.Connection({
      ...(tcp
        ? { transports: [{ type: 'rawsocket', host: tcp.hostname, port: Number(tcp.port) } as never] }
        : { url, protocols: [`wamp.2.${serializer}`], serializers: [serializerFor(serializer)] }),
      realm,
      max_retries: 0,
      retry_if_unreachable: false,
    });
    let settled = false;
    const close = (): void => {
      try {
        connection.close();
      } catch {
        // autobahn throws when the connection is already closed: nothing left to do.
      }
    };
    connection.onopen = (session, details) => {
      settled = true;
      const extra = (details as { authextra?: Record<string, unknown> } | undefined)?.authextra;
      const worker = typeof extra?.x_cb_proxy_worker === 'string' ? extra.x_cb_proxy_worker : null;
      resolve({ kind: 'joined', at: performance.now(), worker, session, details: (details ?? {}) as Record<string, unknown>, close });
    };
    connection.onclose = (reason, details) => {
      if (!settled) {
        settled = true;
        resolve({ kind: 'refused', at: performance.now(), reason: details.reason ?? reason, message: details.message });
      }
      return true; // never let autobahn retry on its own
    };
    // autobahn takes its browser code path (no autoping, other close handling) when a global
    // WebSocket exists, as on Node >= 22. Hide it while the transport is created so every Node
    // version runs the `ws`-based client that Node applications use.
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
    if (saved) Reflect.deleteProperty(globalThis, 'WebSocket');
    try {
      connection.open();
    } finally {
      if (saved) Object.defineProperty(globalThis, 'WebSocket', saved);
    }
  });
}
