/** Opening bench WebSocket clients (ws, no compression), optionally as a WAMP session (HELLO → WELCOME). */
import WebSocket from 'ws';

/** The HELLO every WAMP-mode bench client sends (JSON serializer). */
export function helloFrame(realm: string): string {
  return JSON.stringify([1, realm, { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } }]);
}

/** A new client; `wamp` offers the wamp.2.json subprotocol. Not yet open. */
export function newClient(url: string, wamp: boolean, handshakeTimeoutMs = 30_000): WebSocket {
  return new WebSocket(url, wamp ? ['wamp.2.json'] : [], { perMessageDeflate: false, handshakeTimeout: handshakeTimeoutMs, maxPayload: 1024 * 1024 });
}

/** Resolves once open (and, for `wamp`, once the WELCOME answering its HELLO arrived). */
export function ready(ws: WebSocket, wamp: boolean, realm: string): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('open', () => {
      if (!wamp) return resolve();
      ws.send(helloFrame(realm));
      ws.once('message', (data) => {
        const msg = JSON.parse(String(data)) as unknown[];
        if (msg[0] === 2) resolve();
        else reject(new Error(`expected WELCOME, got ${String(data).slice(0, 120)}`));
      });
    });
  });
}

/** Opens and readies one client (rejects on any failure). */
export async function connect(url: string, wamp: boolean, realm: string): Promise<WebSocket> {
  const ws = newClient(url, wamp);
  try {
    await ready(ws, wamp, realm);
  } catch (err) {
    ws.terminate();
    throw err;
  }
  return ws;
}
