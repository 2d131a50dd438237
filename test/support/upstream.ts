import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';

export interface EchoUpstream {
  url: string;
  port: number;
  server: http.Server;
  wss: WebSocketServer;
  /** Every upgrade request the upstream saw (headers included). */
  upgrades: http.IncomingMessage[];
  /** Every plain HTTP request. */
  requests: http.IncomingMessage[];
  sockets: Set<WebSocket>;
}

/**
 * A real WebSocket upstream (ws) that echoes every message, picks the first
 * offered subprotocol, and answers plain HTTP with a JSON description of the
 * request. Closed after the test.
 */
export async function startEchoUpstream(t: TestContext, opts: { perMessageDeflate?: boolean } = {}): Promise<EchoUpstream> {
  const upgrades: http.IncomingMessage[] = [];
  const requests: http.IncomingMessage[] = [];
  const sockets = new Set<WebSocket>();
  const server = http.createServer((req, res) => {
    requests.push(req);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  const wss = new WebSocketServer({
    server,
    perMessageDeflate: opts.perMessageDeflate ?? false,
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  });
  wss.on('headers', () => {});
  wss.on('connection', (ws, req) => {
    upgrades.push(req);
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  t.after(async () => {
    for (const s of sockets) s.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${port}`, port, server, wss, upgrades, requests, sockets };
}

/** A control plane for the `http` source whose answer the test changes at will. */
export async function startControlPlane(t: TestContext, initial: Record<string, boolean> = {}) {
  let realms = { ...initial };
  let status = 200;
  let polls = 0;
  const pollWaiters: (() => void)[] = [];
  const server = http.createServer((_req, res) => {
    polls++;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ realms }));
    for (const w of pollWaiters.splice(0)) w();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return {
    url: `http://127.0.0.1:${port}/realms`,
    set(next: Record<string, boolean>) {
      realms = { ...next };
    },
    setStatus(s: number) {
      status = s;
    },
    get polls() {
      return polls;
    },
    /** Resolves after the next poll has been answered. */
    nextPoll(): Promise<void> {
      return new Promise((r) => pollWaiters.push(r));
    },
  };
}
