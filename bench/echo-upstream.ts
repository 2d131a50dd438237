/**
 * The bench's upstream, run as its own process: a ws WebSocket echo server on
 * 127.0.0.1 (port 0). A connection that negotiated a WAMP subprotocol
 * (wamp.2.json) first gets a WELCOME for its HELLO, then every message is
 * echoed — so the same upstream serves plain tunnels, HELLO-peek tunnels
 * (realmgate reads the upstream's first message) and session-rate tests.
 *
 *   node --import tsx bench/echo-upstream.ts     → prints {"port":N}
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const server = http.createServer((_req, res) => res.end('ok\n'));
// Thousands of held clients are released at once: keep the accept queue deep.
const wss = new WebSocketServer({
  server,
  perMessageDeflate: false,
  maxPayload: 1024 * 1024,
  handleProtocols: (protocols) => protocols.values().next().value ?? false,
});
let sessionId = 0;
wss.on('connection', (ws) => {
  let awaitingHello = ws.protocol.startsWith('wamp.2.');
  ws.on('error', () => ws.terminate());
  ws.on('message', (data, isBinary) => {
    if (awaitingHello) {
      awaitingHello = false;
      // HELLO → WELCOME, as a WAMP router would (realmgate's HELLO peek reads this first message).
      ws.send(JSON.stringify([2, ++sessionId, { authrole: 'anonymous', roles: { broker: {}, dealer: {} } }]));
      return;
    }
    ws.send(data, { binary: isBinary });
  });
});
server.listen({ host: '127.0.0.1', port: 0, backlog: 16_384 }, () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
const stop = (): void => {
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
