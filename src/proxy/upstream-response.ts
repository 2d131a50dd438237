import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { ErrorCodes, RealmgateError } from '../errors.js';

/** Largest upstream response head the gate reads. */
const MAX_RESPONSE_HEAD = 16 * 1024;
/** Largest body of a non-101 answer relayed to the client; the rest is cut (it is an error page). */
const MAX_RELAYED_BODY = 1024 * 1024;

export interface ResponseHead {
  status: number;
  /** Lower-case names; the last value wins. */
  readonly headers: Record<string, string>;
  /** The head exactly as received, up to and including the blank line. */
  raw: Buffer;
  /** Bytes that came after the head (the start of the body or of the WebSocket frames). */
  rest: Buffer;
}

/**
 * Accumulates the upstream's HTTP response head; returns it parsed once complete (undefined
 * while more is needed); throws UPSTREAM_HANDSHAKE on garbage or an oversized head. A tunnel
 * starts only on a complete `101` head: anything else is an HTTP answer, relayed and closed.
 */
export function responseHeadReader(): (chunk: Buffer) => ResponseHead | undefined {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > MAX_RESPONSE_HEAD) throw new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, 'upstream response head too large');
      return undefined;
    }
    const status = statusOf(buf);
    if (status === undefined) throw new RealmgateError(ErrorCodes.UPSTREAM_HANDSHAKE, 'upstream sent a malformed HTTP response');
    return new Head(status, buf.subarray(0, end + 4), buf.subarray(end + 4));
  };
}

const HTTP_1 = Buffer.from('HTTP/1.', 'latin1');

/** `HTTP/1.0 ddd` or `HTTP/1.1 ddd` at the start of `b`: the status; else undefined. Read from the bytes, no string. */
function statusOf(b: Buffer): number | undefined {
  // "HTTP/1." then 0 or 1, a space, three digits.
  if (b.length < 12 || b.compare(HTTP_1, 0, 7, 0, 7) !== 0 || (b[7] !== 0x30 && b[7] !== 0x31) || b[8] !== 0x20) return undefined;
  let n = 0;
  for (let i = 9; i < 12; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}

/**
 * A parsed head. The header fields are split only when asked for: an upgrade-time tunnel's 101
 * never needs them (it is relayed as `raw`), and this runs once per admitted connection.
 */
class Head implements ResponseHead {
  readonly status: number;
  readonly raw: Buffer;
  readonly rest: Buffer;
  #headers: Record<string, string> | undefined;

  constructor(status: number, raw: Buffer, rest: Buffer) {
    this.status = status;
    this.raw = raw;
    this.rest = rest;
  }

  get headers(): Record<string, string> {
    if (this.#headers) return this.#headers;
    const headers: Record<string, string> = {};
    const lines = this.raw.subarray(0, this.raw.length - 4).toString('latin1').split('\r\n');
    for (let n = 1; n < lines.length; n++) {
      const line = lines[n]!;
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    this.#headers = headers;
    return headers;
  }
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade']);

/**
 * Relays one upstream HTTP answer that is not a 101 to the client, as nginx and HAProxy do:
 * the head with `Connection: close`, then the body as the head frames it (Content-Length,
 * chunked, or until the upstream closes; at most 1 MiB, within `timeoutMs`), then both sockets
 * close. The client's later bytes never reach the upstream: a keep-alive upstream cannot
 * become an ungated pipe for further requests.
 */
export function relayAnswerAndClose(client: Duplex, upstream: Socket, head: ResponseHead, timeoutMs: number): void {
  const lines = head.raw.subarray(0, head.raw.length - 4).toString('latin1').split('\r\n');
  const out = [lines[0]!, ...lines.slice(1).filter((l) => !HOP_BY_HOP.has(l.slice(0, Math.max(0, l.indexOf(':'))).trim().toLowerCase())), 'Connection: close'];
  client.on('error', () => {});
  // Whatever the client sends from now on is read and dropped.
  client.removeAllListeners('data');
  client.resume();
  client.write(`${out.join('\r\n')}\r\n\r\n`);

  const noBody = head.status < 200 || head.status === 204 || head.status === 304;
  const length = head.headers['content-length'] !== undefined ? Number(head.headers['content-length']) : undefined;
  const chunked = /\bchunked\b/i.test(head.headers['transfer-encoding'] ?? '');
  let relayed = 0;
  let tail = '';
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    upstream.off('data', onData);
    upstream.destroy();
    client.end();
    const t = setTimeout(() => client.destroy(), 5000);
    t.unref();
    client.once('close', () => clearTimeout(t));
  };
  const onData = (chunk: Buffer): void => {
    let piece = chunk;
    if (length !== undefined && Number.isFinite(length)) piece = piece.subarray(0, Math.max(0, length - relayed));
    if (relayed + piece.length > MAX_RELAYED_BODY) piece = piece.subarray(0, MAX_RELAYED_BODY - relayed);
    if (piece.length > 0) client.write(piece);
    relayed += piece.length;
    if (chunked) tail = (tail + piece.subarray(-5).toString('latin1')).slice(-5);
    const complete = (length !== undefined && relayed >= length) || (chunked && tail === '0\r\n\r\n') || relayed >= MAX_RELAYED_BODY;
    if (complete) finish();
  };
  const timer = setTimeout(finish, timeoutMs);
  timer.unref();
  upstream.on('data', onData);
  upstream.once('end', finish);
  upstream.once('close', finish);
  upstream.on('error', finish);
  client.once('close', finish);
  if (noBody || length === 0) return finish();
  if (head.rest.length > 0) onData(head.rest);
  upstream.resume();
}
