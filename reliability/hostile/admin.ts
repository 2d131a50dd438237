/**
 * Attack 5, admin: `POST /drain` sent cross-site (a browser's simple request: `text/plain`, a
 * foreign `Origin`), and from a non-loopback source address (a loopback connection bound to the
 * host's own non-loopback address — the closest thing to "from outside the pod" that stays on this
 * machine), each against a fresh gate: did it drain? Then the preStop path (loopback, no Origin)
 * must drain, and the drain must be undoable (tried: `POST /undrain`, `DELETE /drain`,
 * `POST /drain/cancel`, `POST /healthcheck/ok`) with readiness 200 and clients admitted again.
 */
import os from 'node:os';
import { upgrade, upgradeHead } from '../clients.js';
import { startUpstreamProcess, type UpstreamProcess } from '../upstream-process.js';
import type { CheckRow } from '../check-row.js';
import { gateKnobs } from './gate-config.js';
import { attackGate, getText, hostileRow, worst, type Common } from './harness.js';
import { postDrain } from './leak.js';

const UNDO: readonly [string, string][] = [['POST', '/undrain'], ['DELETE', '/drain'], ['POST', '/drain/cancel'], ['POST', '/healthcheck/ok']];

/** The host's first non-internal IPv4 address, if any. */
function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return undefined;
}

const config = (upstream: UpstreamProcess): object => ({
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
  const knobs = await gateKnobs();
  const upstream = await startUpstreamProcess(['realm1']);
  const commons: Common[] = [];
  const attempt = async (f: (adminPort: number) => Promise<number | string>): Promise<{ status: number | string; drained: boolean }> => {
    const a = await attackGate(config(upstream));
    try {
      const status = await f(a.gate.adminPort);
      return { status, drained: await drained(a.gate.adminPort) };
    } finally {
      commons.push(await a.finish());
    }
  };
  try {
    const crossSite = await attempt((p) => postDrain(p, '/drain', 'POST', { 'Content-Type': 'text/plain', Origin: 'http://evil.example' }, 'drain'));
    const addr = nonLoopbackAddress();
    const outside = addr ? await attempt((p) => postDrain(p, '/drain', 'POST', {}, undefined, addr)) : { status: 'no non-loopback address', drained: false };
    // The preStop path, then undo.
    const a = await attackGate(config(upstream));
    let legit: number | string = 0;
    let legitDrained = false;
    let undo: { how: string; status: number | string } = { how: 'none', status: '-' };
    let readyAfterUndo = 0;
    let clientAfterUndo: number | string = '-';
    try {
      legit = await postDrain(a.gate.adminPort);
      legitDrained = await drained(a.gate.adminPort);
      for (const [method, path] of UNDO) {
        const s = await postDrain(a.gate.adminPort, path, method);
        undo = { how: `${method} ${path}`, status: s };
        if (typeof s === 'number' && s >= 200 && s < 300) break;
      }
      readyAfterUndo = (await getText(a.gate.adminPort, '/health/ready')).status;
      const u = await upgrade(a.gate.port, upgradeHead('/ws?realm=realm1'), undefined, 5000);
      clientAfterUndo = u.status;
      u.socket.destroy();
    } finally {
      commons.push(await a.finish());
    }
    const undone = typeof undo.status === 'number' && undo.status >= 200 && undo.status < 300;
    return hostileRow('admin: cross-site and non-loopback POST /drain; drain then undrain', worst(commons), {
      'cross-site drain refused': !crossSite.drained,
      'non-loopback drain refused': !outside.drained,
      'preStop drain (loopback, no Origin) works': legitDrained,
      'drain can be undone (ready 200, clients admitted)': undone && readyAfterUndo === 200 && clientAfterUndo === 101,
    }, {
      adminDefaultHost: knobs.adminHost,
      crossSiteStatus: crossSite.status, crossSiteDrained: crossSite.drained,
      nonLoopbackSource: addr ?? 'none', nonLoopbackStatus: outside.status, nonLoopbackDrained: outside.drained,
      preStopStatus: legit, preStopDrained: legitDrained, undo: `${undo.how} → ${undo.status}`, readyAfterUndo, clientAfterUndo,
    });
  } finally {
    upstream.stop();
  }
}
