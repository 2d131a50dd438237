/**
 * The admin port's listener, on its own thread (started by admin-port.ts).
 *
 * /health/live is answered here, from the main loop's heartbeat (heartbeat.ts), so a kubelet
 * probe gets its answer in milliseconds while the main thread is busy with an attack or a
 * 10,000-client release, and still fails when the main loop is really stuck. Every other
 * request is handed to the main thread (admin-port.ts runs it through the fastify app) and its
 * answer relayed: metrics, status, readiness and drain stay where the state is.
 *
 * Bounds: bodies are read up to `bodyLimit`, at most `maxForwarded` requests wait for the main
 * thread (more are answered 503 at once), each for at most `forwardTimeoutMs`; an entry leaves
 * `waiting` on its answer, its timeout or its client's hang-up, whichever comes first.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { heartbeatAgeMs } from './heartbeat.js';
import { liveBody } from './live-body.js';
import type { AdminWorkerData, ForwardedResponse, FromWorker, ToWorker } from './worker-protocol.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

function runAdminWorker(port: NonNullable<typeof parentPort>, data: AdminWorkerData): void {
  let drain = data.drain;
  let nextId = 1;
  const waiting = new Map<number, { res: ServerResponse; timer: NodeJS.Timeout }>();
  const send = (m: FromWorker): void => port.postMessage(m);

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const live = (res: ServerResponse): void => {
    const age = heartbeatAgeMs(data.heartbeat);
    if (age > data.stallMs) {
      json(res, 503, { status: 'stalled', stalledForMs: Math.round(age), message: `the gate's main event loop has not run for ${Math.round(age)} ms (admin.livenessStallMs ${data.stallMs})` });
      return;
    }
    json(res, 200, liveBody(drain));
  };

  const forward = (req: IncomingMessage, res: ServerResponse, body: Uint8Array | null): void => {
    const id = nextId++;
    const timer = setTimeout(() => {
      waiting.delete(id);
      json(res, 503, { error: 'main_thread_busy', message: `the gate did not answer within ${data.forwardTimeoutMs} ms; retry` }, { 'retry-after': '1' });
    }, data.forwardTimeoutMs);
    waiting.set(id, { res, timer });
    // A client that hangs up frees its entry now; the main thread's late answer is dropped.
    res.once('close', () => {
      const w = waiting.get(id);
      if (w?.res !== res) return;
      clearTimeout(w.timer);
      waiting.delete(id);
    });
    send({ type: 'request', id, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, remoteAddress: req.socket.remoteAddress ?? '', body });
  };

  const answer = (m: ForwardedResponse): void => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    clearTimeout(w.timer);
    if (w.res.headersSent || w.res.destroyed) return;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(m.headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v;
    w.res.writeHead(m.status, headers);
    w.res.end(Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength));
  };

  const server = createServer({ headersTimeout: 10_000, requestTimeout: 15_000, keepAliveTimeout: 5_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/health/live') {
      req.resume();
      live(res);
      return;
    }
    if (waiting.size >= data.maxForwarded) {
      req.resume();
      json(res, 503, { error: 'busy', message: `${waiting.size} admin requests are waiting for the gate; retry` }, { 'retry-after': '1' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > data.bodyLimit) {
        tooLarge = true;
        chunks.length = 0;
        json(res, 413, { error: 'body_too_large', message: `request bodies are limited to ${data.bodyLimit} bytes` }, { connection: 'close' });
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!tooLarge) forward(req, res, size === 0 ? null : Buffer.concat(chunks));
    });
    req.on('error', () => res.destroy());
  });
  // Kubelet and Prometheus need a handful; the admin port is not the client port.
  server.maxConnections = 1024;

  let listening = false;
  server.once('listening', () => {
    listening = true;
    const a = server.address() as AddressInfo;
    send({ type: 'listening', address: a.address, family: a.family, port: a.port });
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (!listening) send({ type: 'listen-error', code: err.code ?? 'ERROR', message: err.message });
  });
  server.listen({ host: data.host, port: data.port });

  port.on('message', (m: ToWorker) => {
    if (m.type === 'response') answer(m);
    else if (m.type === 'drain') drain = m.state;
    else if (m.type === 'close') {
      for (const w of waiting.values()) clearTimeout(w.timer);
      waiting.clear();
      server.close();
      server.closeAllConnections();
      send({ type: 'closed' });
      port.close();
    }
  });
}

if (parentPort) runAdminWorker(parentPort, workerData as AdminWorkerData);
