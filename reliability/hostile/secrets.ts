/**
 * Attack 7, secrets: the gate is configured with userinfo in `upstream.url` (an upstream that is
 * down, so clients get its 502) and `?token=` in an http source's URL, runs at debug level, and is
 * sent requests carrying `?ticket=`, Authorization and Cookie. None of these may appear in what
 * clients get (502 bodies, close reasons), in `/status`, in any log line, or in `check-config`;
 * and clients are not shown the upstream's address.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { freePort, sleep, upgrade, upgradeHead } from '../clients.js';
import type { CheckRow } from '../check-row.js';
import { checkConfig } from './gate-config.js';
import { attackGate, getText, hostileRow, pool } from './harness.js';
import { bigHello } from './wire.js';

export async function runSecrets(opts: { clients?: number } = {}): Promise<CheckRow> {
  const clients = opts.clients ?? 50;
  const id = randomBytes(4).toString('hex');
  const secrets = { password: `pw-${id}-userinfo`, token: `tok-${id}-query`, ticket: `tkt-${id}-ticket`, bearer: `brr-${id}-authz`, cookie: `ck-${id}-cookie` };
  const plane = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"realms":{"realm1":true}}'));
  await new Promise<void>((r) => plane.listen(0, '127.0.0.1', r));
  const upstreamPort = await freePort();
  const config = {
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: `http://rguser:${secrets.password}@127.0.0.1:${upstreamPort}`, connectTimeoutMs: 2000 },
    realms: [{ name: 'realm1' }],
    readiness: { combine: 'any', sources: [
      { type: 'static', ready: ['realm1'] },
      { type: 'http', url: `http://127.0.0.1:${(plane.address() as AddressInfo).port}/realms?token=${secrets.token}`, intervalMs: 200 },
    ] },
    log: { level: 'debug' },
  };
  const a = await attackGate(config, { env: { REALMGATE_LOG_LEVEL: 'debug' } });
  try {
    const hdr = { Authorization: `Bearer ${secrets.bearer}`, Cookie: `sid=${secrets.cookie}` };
    const seen: string[] = [];
    await pool(clients, 25, Date.now() + 60_000, async (i) => {
      if (i % 3 === 0) {
        const u = await upgrade(a.gate.port, upgradeHead(`/ws?realm=realm1&ticket=${secrets.ticket}`, hdr), undefined, 10_000);
        await Promise.race([u.closed, sleep(3000)]);
        seen.push(u.head);
        u.socket.destroy();
      } else if (i % 3 === 1) {
        const r = await getText(a.gate.port, `/page?ticket=${secrets.ticket}`, hdr);
        seen.push(`${r.status} ${JSON.stringify(r.headers)} ${r.body}`);
      } else {
        // HELLO peek: the upstream connect fails after the HELLO; the close reason goes to the client.
        const u = await upgrade(a.gate.port, upgradeHead(`/ws?ticket=${secrets.ticket}`, hdr), bigHello('realm1', 10), 10_000);
        let bytes = '';
        u.socket.on('data', (c: Buffer) => (bytes += c.toString('latin1')));
        await Promise.race([u.closed, sleep(5000)]);
        seen.push(u.head + bytes);
        u.socket.destroy();
      }
    });
    const status = (await getText(a.gate.adminPort, '/status')).body;
    const cc = await checkConfig(config);
    await sleep(500); // pino's destination flushes asynchronously
    const logs = [...a.gate.stdout, ...a.gate.stderr];
    const c = await a.finish();
    const hits = (texts: readonly string[], keys: (keyof typeof secrets)[]): string => {
      const found = keys.map((k) => [k, texts.filter((t) => t.includes(secrets[k])).length] as const).filter(([, n]) => n > 0);
      return found.map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
    };
    const all = Object.keys(secrets) as (keyof typeof secrets)[];
    const toClients = hits(seen, all);
    const inStatus = hits([status], all);
    const inLogs = hits(logs, all);
    const inCheck = hits([cc.stdout, cc.stderr], all);
    const upstreamAddressToClients = seen.filter((t) => t.includes(`:${upstreamPort}`)).length;
    return hostileRow(`secrets: userinfo in upstream.url, ?token= in a source URL, ?ticket=/Authorization/Cookie from ${clients} clients`, c, {
      'no secret reaches a client': toClients === 'none', 'no secret in /status': inStatus === 'none',
      'no secret in any log line (debug level)': inLogs === 'none', 'no secret in check-config': inCheck === 'none',
      'upstream address not shown to clients': upstreamAddressToClients === 0,
    }, {
      clients, answersWithSecret: toClients, answersWithUpstreamAddress: upstreamAddressToClients, statusWithSecret: inStatus,
      logLines: logs.length, logLinesWithSecret: inLogs, checkConfigWithSecret: inCheck,
    });
  } finally {
    await a.finish();
    plane.closeAllConnections();
    plane.close();
  }
}
