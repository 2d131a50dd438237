/**
 * Attack 3, no global bound: (a) thousands of clients each send a 60 KiB first fragment (under the
 * per-client limit) and wait — no HELLO completes, so no queue or cap sees them; (b) thousands of
 * clients each send a valid HELLO with 60 KiB of details for a realm that is not ready, and are held.
 * One memory budget (`limits.preAdmissionBytes`, when the gate has it) must refuse the clients
 * beyond it (503 / close 1013 with retry guidance) and keep the gate inside its memory limit.
 */
import { upgrade, upgradeHead, type Upgrade } from '../clients.js';
import { startLocalUpstream } from './upstream.js';
import type { CheckRow } from '../check-row.js';
import { gateKnobs, withKey } from './gate-config.js';
import { attackGate, getText, hostileRow, show, tally } from './harness.js';
import { answerOf, bigHello, openFragment } from './wire.js';

export interface GlobalBoundOptions {
  /** Clients in all; default 4000 (a) and 3000 (b). */
  clients?: number;
  /** Payload per client, bytes; default 60 KiB. */
  payloadBytes?: number;
  /** Sets `limits.preAdmissionBytes` (only if the gate has it); default: the gate's own default. */
  budgetBytes?: number;
  /** Connects per wave (the listen backlog is not what is measured); default 500. */
  wave?: number;
}

type Mode = 'first fragment' | 'held HELLO';

async function run(mode: Mode, opts: GlobalBoundOptions): Promise<CheckRow> {
  const clients = opts.clients ?? (mode === 'first fragment' ? 4000 : 3000);
  const payloadBytes = opts.payloadBytes ?? 60 * 1024;
  const knobs = await gateKnobs();
  const upstream = await startLocalUpstream(['realm1']);
  let config: object = {
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }, { name: 'realm2', maxQueued: 20_000, queueTimeoutMs: 120_000 }],
    maxQueuedTotal: 20_000,
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
    hello: { timeoutMs: 60_000, maxBytes: 65_536 }, log: { level: 'info' },
  };
  const budgetSupported = knobs.preAdmission !== undefined;
  if (knobs.preAdmission && opts.budgetBytes !== undefined) config = withKey(config, knobs.preAdmission.path, opts.budgetBytes);
  const a = await attackGate(config);
  const open: Upgrade[] = [];
  try {
    const payload = mode === 'first fragment' ? openFragment(payloadBytes) : bigHello('realm2', payloadBytes);
    const t0 = performance.now();
    const wave = opts.wave ?? 500;
    for (let i = 0; i < clients; i += wave) {
      open.push(...await Promise.all(Array.from({ length: Math.min(wave, clients - i) }, () => upgrade(a.gate.port, upgradeHead('/ws'), payload, 20_000))));
    }
    // Everything sent: let the gate take it in, then look at it while all clients still wait.
    await new Promise((r) => setTimeout(r, 1500));
    const sendSeconds = ((performance.now() - t0) / 1000).toFixed(1);
    const rssHeldKb = a.gate.memory().rssKb;
    const status = await a.gate.admin<{ queues?: { total?: number } }>('/status').catch(() => undefined);
    const metrics = (await getText(a.gate.adminPort, '/metrics')).body;
    const budgetMetric = metrics.split('\n').filter((l) => /^realmgate_[a-z_]*(budget|pre_admission|preadmission)[a-z_]*/i.test(l)).slice(0, 4).join(' ; ');
    const answers = await Promise.all(open.map((u) => answerOf(u, 10)));
    for (const u of open) u.socket.destroy();
    const t = tally(answers);
    const c = await a.finish();
    const refused = Object.entries(t).filter(([k]) => /^(http:503|ws-close:1013|abort)$/.test(k)).reduce((n, [, v]) => n + v, 0);
    const label = mode === 'first fragment'
      ? `global bound: ${clients} clients × ${Math.round(payloadBytes / 1024)} KiB first fragment before HELLO`
      : `global bound: ${clients} held HELLO clients × ${Math.round(payloadBytes / 1024)} KiB details`;
    return hostileRow(label, c, {
      'gate has a pre-admission memory budget (limits.preAdmissionBytes)': budgetSupported,
      'clients beyond the budget refused with retry guidance (503 / 1013 / ABORT)': refused > 0 || (c.peakRssKb / 1024 < 0.6 * 512),
    }, {
      clients, payloadKiB: Math.round(payloadBytes / 1024), budget: knobs.preAdmission ? `${knobs.preAdmission.path}=${opts.budgetBytes ?? knobs.preAdmission.bytes}` : 'none',
      sendSeconds, rssWhileHeldMiB: Math.round(rssHeldKb / 1024), statusQueued: status?.queues?.total ?? '?',
      answers: show(t), refusedWithRetry: refused, ...(budgetMetric ? { budgetMetric } : {}),
    });
  } finally {
    for (const u of open) u.socket.destroy();
    await a.finish();
    upstream.stop();
  }
}

/** (a) first fragments before HELLO. */
export const runFirstFragments = (opts: GlobalBoundOptions = {}): Promise<CheckRow> => run('first fragment', opts);
/** (b) held HELLO clients with big details. */
export const runHeldHellos = (opts: GlobalBoundOptions = {}): Promise<CheckRow> => run('held HELLO', opts);
