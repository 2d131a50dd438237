/**
 * Attack 4, smuggling: an upgrade the upstream does not switch (a path it answers 404, with
 * keep-alive; or `Upgrade: h2c`, which the gate forwards as plain HTTP) must not turn into an
 * ungated pipe. After the first answer each client sends a second request on the same connection —
 * an upgrade for a realm the gate is holding, with its own `X-Forwarded-For` — and the upstream
 * counts what reached it. It answers every request it parses (404, keep-alive, ignoring
 * `Connection: close` as a lenient server may), so only the gate can stop the second one.
 */
import net from 'node:net';
import { sleep, upgradeHead } from '../clients.js';
import type { CheckRow } from '../check-row.js';
import { attackGate, hostileRow, pool, show, tally } from './harness.js';

/** A raw HTTP/1.1 upstream that answers 404 keep-alive to everything and counts requests. */
async function countingUpstream(): Promise<{ port: number; requests: string[]; close(): void }> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        requests.push(head);
        if (!s.destroyed) s.write('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: keep-alive\r\n\r\nNot Found\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port, requests,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** Sends `first`, reads its answer, then sends `second`; reports both answers (`none` = nothing within 1 s). */
function twoRequests(port: number, first: string, second: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    let stage = 0;
    let firstStatus = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (secondAnswer: string): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(`first ${firstStatus || 'none'}, second ${secondAnswer}`);
    };
    const status = (): string => /^HTTP\/1\.[01] (\d{3})/.exec(buf)?.[1] ?? '';
    timer = setTimeout(() => done('timeout'), 5000);
    sock.on('error', () => done(stage === 0 ? 'reset' : 'closed'));
    sock.on('close', () => done(stage === 0 ? 'none' : 'closed'));
    sock.on('connect', () => sock.write(first));
    sock.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (stage === 0 && end >= 0) {
        // Wait for the whole (small) body before the second request.
        const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        firstStatus = status();
        stage = 1;
        buf = buf.slice(end + 4 + len);
        clearTimeout(timer);
        timer = setTimeout(() => done('none'), 1000);
        if (!sock.destroyed && sock.writable) sock.write(second);
      } else if (stage === 1 && buf.includes('\r\n\r\n')) {
        done(`http:${status() || '?'}`);
      }
    });
  });
}

export async function runSmuggling(opts: { clients?: number } = {}): Promise<CheckRow> {
  const clients = opts.clients ?? 200;
  const up = await countingUpstream();
  const a = await attackGate({
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: `http://127.0.0.1:${up.port}` },
    realms: [{ name: 'realm1' }, { name: 'realm2', queueTimeoutMs: 60_000 }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
    log: { level: 'info' },
  });
  try {
    // The smuggled request: an upgrade for realm2, which the gate holds, with a forged client address.
    const smuggled = upgradeHead('/ws?realm=realm2', { 'X-Forwarded-For': '203.0.113.66' });
    const wsFirst = upgradeHead('/not-a-ws-path?realm=not.served.here');
    const h2cFirst = 'GET /not-a-ws-path HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n';
    const deadline = Date.now() + 60_000;
    const ws = await pool(clients, 20, deadline, () => twoRequests(a.gate.port, wsFirst, smuggled));
    const afterWs = up.requests.length;
    const h2c = await pool(clients, 20, deadline, () => twoRequests(a.gate.port, h2cFirst, smuggled));
    await sleep(200);
    const c = await a.finish();
    const reachedRealm2 = up.requests.filter((r) => r.includes('realm=realm2')).length;
    const forged = up.requests.filter((r) => /x-forwarded-for:\s*203\.0\.113\.66/i.test(r)).length;
    const wsSmuggled = up.requests.slice(0, afterWs).filter((r) => r.includes('realm=realm2')).length;
    return hostileRow(`smuggling: ${clients} upgrades answered 404 + ${clients} h2c offers, each followed by a held-realm upgrade`, c, {
      'no second request reached the upstream': reachedRealm2 === 0,
      'upstream saw exactly one request per client': up.requests.length === ws.length + h2c.length,
    }, {
      clients: ws.length + h2c.length, answersWebsocket404: show(tally(ws)), answersH2c: show(tally(h2c)),
      upstreamRequests: up.requests.length, heldRealmUpgradesAtUpstream: reachedRealm2, viaWebsocket404: wsSmuggled, viaH2c: reachedRealm2 - wsSmuggled,
      forgedXForwardedForAtUpstream: forged,
    });
  } finally {
    await a.finish();
    up.close();
  }
}
