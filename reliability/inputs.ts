/**
 * fast-check arbitraries for the bad-input checks: each value is the byte chunks of one connection.
 *  - http:    raw HTTP requests (methods, paths, header names/values with CR/LF/NUL, huge heads)
 *  - upgrade: WebSocket upgrade requests with mutated Upgrade/Connection/Sec-WebSocket-* and realm hints
 *  - frames:  a valid HELLO-peek handshake, then arbitrary WebSocket frames (opcodes, masks, lengths, fragments)
 *  - hello:   a valid handshake, then a HELLO-like payload in each serializer (arbitrary values and bytes)
 */
import fc from 'fast-check';
import { encodeMessage, parseSubprotocol, SUPPORTED_SUBPROTOCOLS } from '../src/wamp/serializers.js';

export type InputClass = 'http' | 'upgrade' | 'frames' | 'hello';
export const INPUT_CLASSES: readonly InputClass[] = ['http', 'upgrade', 'frames', 'hello'];

/** Realm names the fuzz gate knows: ready, not ready (reject), and names it does not know. */
export const FUZZ_REALMS = { ready: 'realm1', notReady: 'realm2' } as const;

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const nasty = fc.constantFrom('\r', '\n', '\0', '\r\n', ' ', ':', '\t', '\x7f', 'é', '\u2028', '%', '?', '#');
/** Short strings that often contain the characters HTTP parsers choke on. */
const token = fc.array(fc.oneof(fc.string({ maxLength: 8 }), nasty), { maxLength: 6 }).map((a) => a.join(''));
const realmHint = fc.oneof(
  fc.constantFrom(FUZZ_REALMS.ready, FUZZ_REALMS.notReady, 'unknown.realm', '', 'a b', 'x#y', 'r'.repeat(300)),
  token,
);

const headerName = fc.oneof(
  fc.constantFrom('Host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'Upgrade', 'Cookie', 'Authorization',
    'X-Wamp-Realm', 'Expect', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Protocol'),
  token,
);
const headerValue = fc.oneof(token, fc.constantFrom('chunked', '0', '-1', '99999999999', 'close', 'keep-alive', 'websocket', '100-continue'),
  fc.integer({ min: 1_000, max: 40_000 }).map((n) => 'v'.repeat(n)));

const httpRequest = fc
  .record({
    method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE', 'CONNECT', 'PATCH', 'TRACE', 'PRI'), token),
    path: fc.oneof(fc.constantFrom('/', '/ws', '/status', '*', 'http://x/', '/?realm=realm1'), fc.webPath(), token),
    version: fc.oneof(fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', ''), token),
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
    eol: fc.constantFrom('\r\n', '\r\n', '\r\n', '\n'),
    body: fc.option(fc.string({ maxLength: 64 }), { nil: undefined }),
    terminated: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, fc.constant(false)),
  })
  .map((r) => {
    const lines = [`${r.method} ${r.path} ${r.version}`.trim(), ...r.headers.map(([n, v]) => `${n}: ${v}`)];
    if (r.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(r.body)}`);
    const headText = lines.join(r.eol) + (r.terminated ? r.eol + r.eol : '');
    return [Buffer.from(headText + (r.terminated && r.body !== undefined ? r.body : ''), 'utf8')];
  });

/** An upgrade head where each standard header may be kept, dropped or replaced. */
function upgradeHead(overrides: Record<string, string | null>, path: string, extra: [string, string][] = []): string {
  const base: Record<string, string | null> = {
    Host: '127.0.0.1', Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': KEY, 'Sec-WebSocket-Version': '13',
    ...overrides,
  };
  const lines = [`GET ${path} HTTP/1.1`, ...Object.entries(base).flatMap(([k, v]) => (v === null ? [] : [`${k}: ${v}`])), ...extra.map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const mutated = <T extends string>(good: T, bad: fc.Arbitrary<string>) => fc.oneof({ weight: 3, arbitrary: fc.constant<string | null>(good) }, fc.constant(null), bad);

const upgradeRequest = fc
  .record({
    upgrade: mutated('websocket', fc.oneof(fc.constantFrom('WebSocket', 'h2c', 'websocket, h2c', ''), token)),
    connection: mutated('Upgrade', fc.oneof(fc.constantFrom('keep-alive', 'upgrade, close', ''), token)),
    key: mutated(KEY, fc.oneof(fc.constantFrom('short', 'AAAAAAAAAAAAAAAAAAAAAA==', `${KEY} `, ''), token)),
    version: mutated('13', fc.oneof(fc.constantFrom('8', '14', '13, 8', ''), token)),
    protocol: fc.oneof(fc.constant(null), fc.constantFrom(...SUPPORTED_SUBPROTOCOLS, 'wamp.2.json, wamp.2.msgpack', 'mqtt', ''), token),
    pathRealm: fc.option(realmHint, { nil: undefined }),
    queryRealm: fc.option(realmHint, { nil: undefined }),
    headerRealm: fc.option(realmHint, { nil: undefined }),
    ext: fc.option(fc.constantFrom('permessage-deflate', 'x-foo; bar', ''), { nil: undefined }),
  })
  .map((r) => {
    const path = `${r.pathRealm !== undefined ? `/ws/${encodeURIComponent(r.pathRealm)}` : '/ws'}${r.queryRealm !== undefined ? `?realm=${encodeURIComponent(r.queryRealm)}` : ''}`;
    const extra: [string, string][] = [];
    if (r.headerRealm !== undefined) extra.push(['X-Wamp-Realm', r.headerRealm.replace(/[\r\n]/g, '')]);
    if (r.ext !== undefined) extra.push(['Sec-WebSocket-Extensions', r.ext]);
    const head = upgradeHead({ Upgrade: r.upgrade, Connection: r.connection, 'Sec-WebSocket-Key': r.key, 'Sec-WebSocket-Version': r.version, 'Sec-WebSocket-Protocol': r.protocol }, path, extra);
    return [Buffer.from(head, 'utf8')];
  });

/** One WebSocket frame with free header fields; `declared` may lie about the payload length. */
const frame = fc
  .record({
    fin: fc.boolean(),
    rsv: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 7 })),
    opcode: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 1, 2, 8, 9, 10) }, fc.integer({ min: 0, max: 15 })),
    masked: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, fc.constant(false)),
    payload: fc.uint8Array({ maxLength: 300 }),
    lenForm: fc.constantFrom('exact', 'exact', 'exact', 'ext16', 'ext64', 'lie-small', 'lie-huge'),
  })
  .map((f) => rawFrame(f.fin, f.rsv, f.opcode, f.masked, Buffer.from(f.payload), f.lenForm));

/** A frame header written by hand, so invalid lengths, reserved bits and unmasked frames are possible. */
export function rawFrame(fin: boolean, rsv: number, opcode: number, masked: boolean, payload: Buffer, lenForm = 'exact'): Buffer {
  const len = payload.length;
  let lenBytes: Buffer;
  if (lenForm === 'lie-huge') lenBytes = Buffer.from([127, 0, 0, 0, 1, 0, 0, 0, 0]); // 2^32 bytes declared
  else if (lenForm === 'lie-small') lenBytes = Buffer.from([Math.min(125, len + 7)]);
  else if (lenForm === 'ext64' || (lenForm !== 'ext16' && len > 0xffff)) {
    lenBytes = Buffer.alloc(9);
    lenBytes[0] = 127;
    lenBytes.writeBigUInt64BE(BigInt(len), 1);
  } else if (lenForm === 'ext16' || len > 125) {
    lenBytes = Buffer.alloc(3);
    lenBytes[0] = 126;
    lenBytes.writeUInt16BE(len, 1);
  } else lenBytes = Buffer.from([len]);
  lenBytes[0] = lenBytes[0]! | (masked ? 0x80 : 0);
  const first = Buffer.from([(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)]);
  if (!masked) return Buffer.concat([first, lenBytes, payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ key[i & 3]!;
  return Buffer.concat([first, lenBytes, key, body]);
}

/** A handshake for the HELLO peek (no realm in path/query) with one of the WAMP subprotocols. */
const handshake = (protocol: string): Buffer => Buffer.from(upgradeHead({ 'Sec-WebSocket-Protocol': protocol }, '/ws'), 'latin1');

/** Splits one buffer into 1–3 chunks at arbitrary offsets (exercises partial reads). */
const split = (buf: Buffer, cuts: number[]): Buffer[] => {
  const at = [...new Set(cuts.map((c) => Math.floor(c * buf.length)))].filter((c) => c > 0 && c < buf.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, buf.length]) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  return out;
};
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 2 });

const framesInput = fc
  .tuple(fc.constantFrom(...SUPPORTED_SUBPROTOCOLS), fc.array(frame, { minLength: 1, maxLength: 5 }), cuts)
  .map(([p, frames, c]) => split(Buffer.concat([handshake(p), ...frames]), c));

const helloValue = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constant(1), fc.constantFrom(FUZZ_REALMS.ready, FUZZ_REALMS.notReady, 'unknown.realm'), fc.constant({ roles: { caller: {}, subscriber: {} } })) },
  fc.tuple(fc.constant(1), realmHint, fc.oneof(fc.object(), fc.constant({ roles: { caller: {} } }))),
  fc.tuple(fc.constant(1), fc.anything(), fc.anything()),
  fc.array(fc.anything(), { maxLength: 4 }),
  fc.anything(),
);
const helloInput = fc
  .record({
    protocol: fc.constantFrom(...SUPPORTED_SUBPROTOCOLS),
    value: helloValue,
    rawBytes: fc.option(fc.uint8Array({ maxLength: 200 }), { freq: 4, nil: undefined }),
    opcode: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, fc.integer({ min: 0, max: 15 })),
    cuts,
  })
  .map((r) => {
    const sp = parseSubprotocol(r.protocol)!;
    let payload: Buffer;
    if (r.rawBytes) payload = Buffer.from(r.rawBytes);
    else {
      try {
        payload = encodeMessage(sp, Array.isArray(r.value) ? r.value : [r.value]);
      } catch {
        payload = Buffer.from(JSON.stringify(String(r.value)));
      }
    }
    const opcode = r.opcode ?? (sp.binary ? 2 : 1);
    return split(Buffer.concat([handshake(r.protocol), rawFrame(true, 0, opcode, true, payload)]), r.cuts);
  });

/** The arbitrary for one class of input. */
export function inputArbitrary(kind: InputClass): fc.Arbitrary<Buffer[]> {
  switch (kind) {
    case 'http': return httpRequest;
    case 'upgrade': return upgradeRequest;
    case 'frames': return framesInput;
    case 'hello': return helloInput;
  }
}
