/**
 * Real WAMP clients for integration tests: autobahn-js (json/msgpack/cbor), wampy (json), and a
 * raw `ws` client that sends one HELLO and reads the router's first reply.
 */
import type { Session } from 'autobahn';
import { joinOnce, type DemoSerializer } from '../../src/demo/wamp-client.js';
import WebSocket from 'ws';
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { decodeFirstMessage } from '../../src/wamp/hello.js';
import { encodeMessage, parseSubprotocol } from '../../src/wamp/serializers.js';

type WampyOptions = NonNullable<ConstructorParameters<typeof Wampy>[1]>;

export type AutobahnSerializerId = DemoSerializer;

/** Raised when autobahn closes before joining; `reason` is the ABORT reason URI (or null). */
export class JoinRefused extends Error {
  constructor(readonly closeReason: string, readonly reason: string | null, readonly detail: string | null) {
    super(`join refused (${closeReason}): ${reason ?? 'no reason'} ${detail ?? ''}`);
  }
}

/**
 * Join `realm` with autobahn-js speaking only `serializer`; no retries (the demo's `joinOnce`,
 * as a promise that rejects with JoinRefused). `close()` is safe to call twice.
 */
export async function autobahnJoin(url: string, realm: string, serializer: AutobahnSerializerId = 'json'):
  Promise<{ session: Session; details: Record<string, unknown>; close(): void }> {
  const r = await joinOnce(url, realm, serializer);
  if (r.kind === 'refused') throw new JoinRefused(r.reason ?? 'closed', r.reason, r.message);
  return { session: r.session, details: r.details, close: r.close };
}

/** A wampy client (json) joined to `realm`; rejects (wampy's AbortError) when refused. */
export async function wampyJoin(url: string, realm: string): Promise<Wampy> {
  const client = new Wampy(url, {
    realm,
    autoReconnect: false,
    ws: WebSocket as unknown as NonNullable<WampyOptions['ws']>,
    serializer: new JsonSerializer(),
  });
  await client.connect();
  return client;
}

/**
 * Open a raw WebSocket with `protocol`, send `[1, realm, {roles:{caller:{}}}]`, and resolve with the
 * first decoded reply and the still-open socket (the caller closes it).
 */
export async function rawHello(url: string, protocol: string, realm: string | null):
  Promise<{ reply: unknown[]; ws: WebSocket }> {
  const sp = parseSubprotocol(protocol);
  if (!sp) throw new Error(`unsupported subprotocol ${protocol}`);
  const ws = new WebSocket(url, [protocol], { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const reply = new Promise<unknown[]>((resolve, reject) => {
    ws.once('message', (data: Buffer) => {
      try {
        resolve(decodeFirstMessage(sp, data));
      } catch (err) {
        reject(err);
      }
    });
    ws.once('close', (code) => reject(new Error(`closed ${code} before a reply`)));
  });
  ws.send(encodeMessage(sp, [1, realm, { roles: { caller: {}, subscriber: {} } }]), { binary: sp.binary });
  return { reply: await reply, ws };
}

/** Resolves when a ping gets its pong: proof the socket is still open and served. */
export function pingPong(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('pong', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed ${code} instead of pong`)));
    ws.ping();
  });
}
