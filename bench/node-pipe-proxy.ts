/**
 * Reference points, not products: the smallest Node forwarders, measured by
 * `run.ts` (by default) beside realmgate, to tell what the Node platform's
 * socket pipe costs from what realmgate's own code adds.
 *   tcp  — net.createServer + net.connect + stream.pipe both ways (no HTTP at all)
 *   http — http.createServer 'upgrade' → net.connect, write the request head, pipe
 *          both ways (what realmgate's upgrade-time tunnel does, minus admission)
 *   http-held — the same, but every upgrade waits until `GET /release` (answered when all held
 *          upgrades have been started at once, with no connect pacing); `GET /held` answers the
 *          count. The floor of scenario 3 (held.ts): a Node release without admission.
 *
 *   node bench/node-pipe-proxy.ts UPSTREAM_PORT [tcp|http|http-held]   → prints {"port":N}
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

const upstreamPort = Number(process.argv[2]);
const mode = process.argv[3] ?? 'tcp';

function join(client: Duplex, up: net.Socket): void {
  const done = (): void => { client.destroy(); up.destroy(); };
  client.on('error', done).on('close', done);
  up.on('error', done).on('close', done);
  client.pipe(up);
  up.pipe(client);
}

function forward(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
  socket.setNoDelay(true);
  const up = net.connect({ host: '127.0.0.1', port: upstreamPort }, () => {
    up.setNoDelay(true);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    up.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) up.write(head);
    join(socket, up);
  });
  up.on('error', () => socket.destroy());
}

const held: [http.IncomingMessage, net.Socket, Buffer][] = [];
const server: net.Server = mode === 'http'
  ? http.createServer((_req, res) => res.end()).on('upgrade', forward)
  : mode === 'http-held'
    ? http.createServer((req, res) => {
      if (req.url === '/release') for (const h of held.splice(0)) forward(...h);
      res.end(String(held.length));
    }).on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      held.push([req, socket, head]);
    })
  : net.createServer((client) => {
    client.setNoDelay(true);
    const up = net.connect({ host: '127.0.0.1', port: upstreamPort }, () => up.setNoDelay(true));
    join(client, up);
  });
server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  console.log(JSON.stringify({ port: (server.address() as net.AddressInfo).port }));
});
process.on('SIGTERM', () => process.exit(0));
