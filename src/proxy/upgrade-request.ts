import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What the gate reads of a client's upgrade request. node:http's IncomingMessage has it, and so
 * has a request head read by parseUpgradeHead (the first-byte listener's fast path).
 */
export type UpgradeRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers' | 'rawHeaders' | 'socket'>;

/** node:http's own bound (server.ts MAX_HEADER_BYTES); a larger head goes to node:http for its 431. */
const MAX_HEAD_BYTES = 16 * 1024;
/** More header fields than any WebSocket client sends: the rest is node:http's business. */
const MAX_FIELDS = 64;

const REQUEST_LINE = /^GET (\/[\x21-\x7e]*) HTTP\/1\.1$/;
/**
 * name ":" value — a token name, a value of visible ASCII, space and tab only (trimmed after:
 * with those characters `trim()` removes exactly the optional whitespace; no backtracking here).
 */
const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):([\x20-\x7e\t]*)$/;

/**
 * The fast path for the one request every WebSocket client sends: the whole head in the first
 * chunk, `GET /path HTTP/1.1`, `Upgrade: websocket`, `Connection: … upgrade …`, each field once,
 * plain ASCII, no body framing. Returns it in node:http's shape (lower-case `headers`, the values
 * trimmed; `rawHeaders` as sent) with the bytes after the head, or undefined for anything else,
 * which then goes through node:http exactly as before: a head split over reads, obs-fold, a
 * repeated field, Content-Length or Transfer-Encoding, control or non-ASCII bytes, another
 * method, version or target form, another protocol offer.
 *
 * Why: node:http gives every connection a parser, listeners and an IncomingMessage that an
 * upgrade hands back at once. Skipping them for this request cut the gate's CPU per session
 * (handshake, HELLO, WELCOME, close) by 3.4 % upgrade-time and 6.5 % HELLO mode: two builds side
 * by side, sessions interleaved in 400 ms slices, ~16,000 each (the same build against itself:
 * 1.1 %).
 */
export function parseUpgradeHead(chunk: Buffer, socket: Socket): { req: UpgradeRequest; rest: Buffer } | undefined {
  // "GET / HTTP/1.1\r\n" at least, and a cheap refusal of everything that is not a GET.
  if (chunk.length < 18 || chunk[0] !== 0x47 || chunk[1] !== 0x45 || chunk[2] !== 0x54 || chunk[3] !== 0x20) return undefined;
  const end = chunk.indexOf('\r\n\r\n');
  if (end < 0 || end + 4 > MAX_HEAD_BYTES) return undefined;
  const lines = chunk.toString('latin1', 0, end).split('\r\n');
  if (lines.length - 1 > MAX_FIELDS) return undefined;
  const target = REQUEST_LINE.exec(lines[0]!);
  if (target === null) return undefined;
  // Null prototype: a field named like an Object.prototype member is just a field.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const rawHeaders: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const m = FIELD_LINE.exec(lines[i]!);
    if (m === null) return undefined;
    const name = m[1]!;
    const lower = name.toLowerCase();
    // node:http's headers object drops a `__proto__` field; such a rare request is left to it.
    if (lower in headers || lower === '__proto__') return undefined;
    const value = m[2]!.trim();
    headers[lower] = value;
    rawHeaders.push(name, value);
  }
  if (headers['upgrade']?.toLowerCase() !== 'websocket') return undefined;
  if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) return undefined;
  if (!hasToken(headers['connection'], 'upgrade')) return undefined;
  return { req: { method: 'GET', url: target[1]!, headers, rawHeaders, socket }, rest: chunk.subarray(end + 4) };
}

/** A comma-separated header value holds `token` (case-insensitive), as node:http reads Connection. */
function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}
