import WebSocket from 'ws';
import { describeError } from '../errors.js';
import { decodeMessages, encodeMessage, type WampSubprotocol } from '../wamp/serializers.js';
import { ABORT, CHALLENGE, GOODBYE, HELLO, WampUri, WELCOME } from '../wamp/messages.js';

/** Outcome of one HELLO probe of one realm. */
export interface ProbeResult {
  ready: boolean;
  /** Short reason for /status: `welcome`, `challenge`, `abort wamp.error.no_such_realm`, `timeout`, … */
  reason: string;
}

/** The HELLO a plain anonymous client sends: what an anonymous-auth proxy answers right after HELLO. */
export function probeHello(realm: string): unknown[] {
  return [HELLO, realm, { roles: { subscriber: {}, publisher: {}, caller: {}, callee: {} }, authmethods: ['anonymous'] }];
}

/**
 * Classifies the first message the upstream sends after HELLO (crossbar-facts §5):
 * only ABORT `no_such_realm` means "no routes yet". WELCOME, CHALLENGE or another ABORT
 * (e.g. not_authorized, no_such_role) mean the realm exists on the worker that answered.
 */
export function classifyReply(msg: unknown[] | undefined): ProbeResult {
  const type = msg?.[0];
  if (type === WELCOME) return { ready: true, reason: 'welcome' };
  if (type === CHALLENGE) return { ready: true, reason: 'challenge' };
  if (type === ABORT) {
    const uri = typeof msg?.[2] === 'string' ? msg[2] : 'unknown';
    return { ready: uri !== WampUri.NO_SUCH_REALM, reason: `abort ${uri}` };
  }
  return { ready: false, reason: `unexpected reply type ${String(type)}` };
}

/**
 * Opens one WebSocket, sends HELLO for `realm` and classifies the first reply. Always closes
 * its socket: Crossbar leaves the connection open after ABORT, so without this every probe
 * would leak a connection on the proxy. After WELCOME it says GOODBYE first.
 * Never rejects: a connection failure or timeout is a not-ready result.
 * @param timeoutMs deadline for connect + reply, ms.
 */
export function probeRealm(url: string, sp: WampSubprotocol, realm: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    let done = false;
    const ws = new WebSocket(url, [sp.protocol], { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    const finish = (result: ProbeResult, goodbye = false): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
      hangUp(ws, sp, goodbye);
    };
    const onAbort = (): void => finish({ ready: false, reason: 'aborted' });
    const timer = setTimeout(() => finish({ ready: false, reason: `timeout after ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('error', (err) => finish({ ready: false, reason: `connect failed: ${describeError(err)}` }));
    ws.on('unexpected-response', (_req, res) => {
      finish({ ready: false, reason: `upgrade refused: HTTP ${res.statusCode ?? '?'}` });
      res.resume();
    });
    ws.on('close', (code) => finish({ ready: false, reason: `closed before reply (${code})` }));
    ws.on('open', () => {
      if (ws.protocol !== sp.protocol) return finish({ ready: false, reason: `upstream chose subprotocol "${ws.protocol}"` });
      ws.send(encodeMessage(sp, probeHello(realm)), { binary: sp.binary });
    });
    ws.on('message', (data: Buffer) => {
      let first: unknown[] | undefined;
      try {
        first = decodeMessages(sp, Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer))[0];
      } catch (err) {
        return finish({ ready: false, reason: `undecodable reply: ${describeError(err)}` });
      }
      const result = classifyReply(first);
      finish(result, first?.[0] === WELCOME);
    });
  });
}

function hangUp(ws: WebSocket, sp: WampSubprotocol, goodbye: boolean): void {
  try {
    if (ws.readyState === WebSocket.OPEN) {
      if (goodbye) ws.send(encodeMessage(sp, [GOODBYE, {}, WampUri.CLOSE_NORMAL]), { binary: sp.binary });
      ws.close(1000);
      // A peer that never answers the close frame must not keep the socket: cut it shortly after.
      setTimeout(() => ws.terminate(), 1000).unref();
    } else {
      ws.terminate();
    }
  } catch {
    ws.terminate();
  }
}
