/**
 * Attack 5, admin: `POST /drain` sent cross-site (a browser's simple request: `text/plain`, a
 * foreign `Origin`), and from a non-loopback source address (a loopback connection bound to the
 * host's own non-loopback address — the closest thing to "from outside the pod" that stays on this
 * machine): was each refused, and did it drain? Then the preStop path (loopback, no Origin)
 * must drain, and the drain must be undoable (tried: `POST /undrain`, `DELETE /drain`,
 * `POST /drain/cancel`, `POST /healthcheck/ok`) with readiness 200 and clients admitted again.
 */
import os from 'node:os';
import { upgrade, upgradeHead } from '../clients.js';
import { startLocalUpstream } from './upstream.js';
import type { CheckRow } from '../check-row.js';
import { gateKnobs } from './gate-config.js';
import { adminRequest, attackGate, getText, hostileRow } from './harness.js';

const UNDO: readonly [string, string][] = [['POST', '/undrain'], ['DELETE', '/drain'], ['POST', '/drain/cancel'], ['POST', '/healthcheck/ok']];

/** The host's first non-internal IPv4 address, if any. */
function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return undefined;
}

const config = (upstream: { url: string }): object => ({
  listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
  upstream: { url: upstream.url }, realms: [{ name: 'realm1' }],
  readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  shutdown: { delayMs: 0, drainTimeoutMs: 1000 }, log: { level: 'info' },
});

/** Whether the gate drained: `/health/ready` 503 and `/status` says draining. */
async function drained(adminPort: number): Promise<boolean> {
  const ready = await getText(adminPort, '/health/ready');
  const status = await getText(adminPort, '/status');
  return ready.status === 503 && /"draining":\s*true/.test(status.body);
}

export async function runAdmin(): Promise<CheckRow> {
  const knobsP = gateKnobs();
  const upstream = await startLocalUpstream(['realm1']);
  const a = await attackGate(config(upstream));
  try {
    const p = a.gate.adminPort;
    // One gate: each attempt is judged by its answer and by whether it drained a gate that was not
    // draining yet (an old gate drained by the first attempt cannot say what the second one did).
    const crossSite = await adminRequest(p, { headers: { 'Content-Type': 'text/plain', Origin: 'http://evil.example' }, body: 'drain' });
    const crossSiteDrained = await drained(p);
    const addr = nonLoopbackAddress();
    const outside = addr ? await adminRequest(p, { from: addr }) : 'no non-loopback address';
    const outsideDrained = crossSiteDrained ? 'already drained' : await drained(p);
    // The preStop path, then undo.
    const legit = await adminRequest(p);
    const legitDrained = await drained(p);
    let undo: { how: string; status: number | string } = { how: 'none', status: '-' };
    for (const [method, path] of UNDO) {
      const s = await adminRequest(p, { path, method });
      undo = { how: `${method} ${path}`, status: s };
      if (ok(s)) break;
    }
    const readyAfterUndo = (await getText(p, '/health/ready')).status;
    const u = await upgrade(a.gate.port, upgradeHead('/ws?realm=realm1'), undefined, 5000);
    const clientAfterUndo = u.status;
    u.socket.destroy();
    const c = await a.finish();
    return hostileRow('admin: cross-site and non-loopback POST /drain; drain then undrain', c, {
      'cross-site drain refused': !ok(crossSite) && !crossSiteDrained,
      'non-loopback drain refused': !ok(outside) && outsideDrained !== true,
      'preStop drain (loopback, no Origin) works': ok(legit) && legitDrained,
      'drain can be undone (ready 200, clients admitted)': ok(undo.status) && readyAfterUndo === 200 && clientAfterUndo === 101,
    }, {
      adminDefaultHost: (await knobsP).adminHost,
      crossSiteStatus: crossSite, crossSiteDrained,
      nonLoopbackSource: addr ?? 'none', nonLoopbackStatus: outside, nonLoopbackDrained: outsideDrained,
      preStopStatus: legit, preStopDrained: legitDrained, undo: `${undo.how} → ${undo.status}`, readyAfterUndo, clientAfterUndo,
    });
  } finally {
    await a.finish();
    upstream.stop();
  }
}

const ok = (s: number | string): boolean => typeof s === 'number' && s >= 200 && s < 300;
