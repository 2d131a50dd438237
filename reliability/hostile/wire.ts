/**
 * Attack traffic: masked frames built by hand (one-byte fragments, a large first fragment, a HELLO
 * with a big details payload) and the one classification every hostile check counts answers with.
 */
import { encodeMessage, parseSubprotocol } from '../../src/wamp/serializers.js';
import { encodeFrame, Opcode } from '../../src/wamp/ws-frames.js';
import { sleep, type Upgrade } from '../clients.js';
import { rawFrame } from '../inputs.js';

const JSON_SP = parseSubprotocol('wamp.2.json')!;

/** `n` masked one-byte fragments of one text message, never finished (7 wire bytes each). */
export function oneByteFragments(n: number): Buffer {
  const first = rawFrame(false, 0, Opcode.TEXT, true, Buffer.from('['));
  const cont = rawFrame(false, 0, Opcode.CONTINUATION, true, Buffer.from(' '));
  return Buffer.concat([first, ...Array.from({ length: n - 1 }, () => cont)]);
}

/** One masked, non-final text fragment of `bytes` payload: a first message that never completes. */
export function openFragment(bytes: number): Buffer {
  return rawFrame(false, 0, Opcode.TEXT, true, Buffer.alloc(bytes, 0x20));
}

/** A masked JSON HELLO for `realm` whose details carry `padBytes` of filler (a big but valid HELLO). */
export function bigHello(realm: string, padBytes: number): Buffer {
  return encodeFrame(Opcode.TEXT, encodeMessage(JSON_SP, [1, realm, { roles: { caller: {} }, authextra: { pad: 'x'.repeat(padBytes) } }]), { mask: true });
}

/** A masked text frame that is valid JSON but not a HELLO (the gate closes 1002). */
export function notAHello(): Buffer {
  return encodeFrame(Opcode.TEXT, Buffer.from('["not a hello"]'), { mask: true });
}

/**
 * What one client got, waiting at most `waitMs` for the end after a 101: `http:<status>`,
 * `abort` (a WAMP ABORT), `ws-close:<code>`, `101+close` (closed with no CLOSE frame), `101+open`
 * (still open when we stopped waiting), `none` (closed before any answer), `timeout`.
 */
export async function answerOf(u: Upgrade, waitMs: number): Promise<string> {
  if (u.status !== 101) return typeof u.status === 'number' ? `http:${u.status}` : u.status;
  const first = u.firstMessage.then((t) => (t === 3 ? 'abort' : undefined));
  const end = await Promise.race([u.closed, sleep(waitMs).then(() => undefined)]);
  const abort = await Promise.race([first, Promise.resolve(undefined)]);
  if (abort) return abort;
  if (!end) return '101+open';
  return end.wsClose !== undefined ? `ws-close:${end.wsClose}` : '101+close';
}
