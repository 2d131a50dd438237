/**
 * Attack 8, log floods: (a) thousands of clients, each naming its own realm (under the default
 * `unknownRealm: pass`), against an upstream that is down — one "upstream unavailable" warning per
 * client in an old gate; (b) HELLO clients for a realm the gate believes ready while the upstream
 * refuses it with no_such_realm — one re-admission warning per client per retry. The log lines
 * written during each flood must stay bounded (aggregated, rate-limited), and no line may carry
 * many attacker-chosen realm names.
 */
import { freePort, upgrade, upgradeHead } from '../clients.js';
import { startLocalUpstream } from './upstream.js';
import type { CheckRow } from '../check-row.js';
import { attackGates, getText, type Attacked, hostileRow, pool, show, tally, worst } from './harness.js';
import { answerOf, bigHello } from './wire.js';

export interface FloodOptions {
  /** Clients against the unreachable upstream; default 10000. */
  unreachable?: number;
  /** HELLO clients re-admitted until their deadline; default 1000. */
  readmitted?: number;
  /** Log lines allowed per flood; default 100. */
  maxLines?: number;
}

const base = (upstreamUrl: string): Record<string, unknown> => ({
  listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
  upstream: { url: upstreamUrl, connectTimeoutMs: 2000 },
  readiness: { sources: [{ type: 'static', ready: ['realm1'] }] }, log: { level: 'info' },
});

export async function runFloods(opts: FloodOptions = {}): Promise<CheckRow> {
  const unreachable = opts.unreachable ?? 10_000;
  const readmitted = opts.readmitted ?? 1000;
  const maxLines = opts.maxLines ?? 100;

  // Both gates start together (a process start is most of a small run's time), then attack in turn.
  const upstream = await startLocalUpstream([]);
  const down = `http://127.0.0.1:${await freePort()}`;
  const [a, b] = await attackGates([
    // (a) upstream down, a fresh attacker-chosen realm per client.
    // Admitted clients of a down upstream are retried until their deadline (then 503 upstream_unavailable): keep it short.
    { ...base(down), realms: [{ name: 'realm1' }], defaults: { queueTimeoutMs: 2000 } },
    // (b) the upstream has no route for realm1, which a static source says is ready.
    { ...base(upstream.url), realms: [{ name: 'realm1', queueTimeoutMs: 2000 }], hello: { readmitOnAbort: true, readmitMaxDelayMs: 200, timeoutMs: 10_000 } },
  ]).catch((err: unknown) => {
    upstream.stop();
    throw err;
  }) as [Attacked, Attacked];
  let aLines = 0;
  let aRealmMentions = 0;
  let aAnswers: Record<string, number> = {};
  let aSeconds = '';
  try {
    const before = a.gate.stdout.length;
    const t0 = performance.now();
    const answers = await pool(unreachable, 250, Date.now() + 120_000, async (i) => {
      const u = await upgrade(a.gate.port, upgradeHead(`/ws?realm=evil.flood${i}`), undefined, 10_000);
      u.socket.destroy();
      return typeof u.status === 'number' ? `http:${u.status}` : u.status;
    });
    aSeconds = ((performance.now() - t0) / 1000).toFixed(1);
    await new Promise((r) => setTimeout(r, 1000));
    const lines = a.gate.stdout.slice(before);
    aLines = lines.length;
    aRealmMentions = lines.filter((l) => l.includes('evil.flood')).length;
    aAnswers = tally(answers);
  } catch (err) {
    await b.finish();
    upstream.stop();
    throw err;
  } finally {
    await a.finish();
  }
  const ca = await a.finish();

  let bLines = 0;
  let bAnswers: Record<string, number> = {};
  let bSeconds = '';
  let readmissionsMetric = '';
  try {
    const before = b.gate.stdout.length;
    const t0 = performance.now();
    const answers = await pool(readmitted, 500, Date.now() + 120_000, async () => {
      const u = await upgrade(b.gate.port, upgradeHead('/ws'), bigHello('realm1', 10), 10_000);
      const kind = await answerOf(u, 8000);
      u.socket.destroy();
      return kind;
    });
    bSeconds = ((performance.now() - t0) / 1000).toFixed(1);
    await new Promise((r) => setTimeout(r, 1000));
    bLines = b.gate.stdout.length - before;
    bAnswers = tally(answers);
    const m = (await getText(b.gate.adminPort, '/metrics')).body;
    readmissionsMetric = m.split('\n').filter((l) => l.startsWith('realmgate_') && l.includes('readmi')).slice(0, 3).join(' ; ');
  } finally {
    await b.finish();
    upstream.stop();
  }
  const cb = await b.finish();
  return hostileRow(`floods: ${unreachable} clients against a down upstream; ${readmitted} HELLO clients re-admitted until their deadline`, worst([ca, cb]), {
    [`down-upstream flood: ≤ ${maxLines} log lines`]: aLines <= maxLines,
    [`re-admission flood: ≤ ${maxLines} log lines`]: bLines <= maxLines,
  }, {
    unreachableClients: unreachable, unreachableAnswers: show(aAnswers), unreachableSeconds: aSeconds, unreachableLogLines: aLines, linesNamingAttackerRealms: aRealmMentions,
    readmittedClients: readmitted, readmittedAnswers: show(bAnswers), readmittedSeconds: bSeconds, readmissionLogLines: bLines,
    ...(readmissionsMetric ? { readmissionMetric: readmissionsMetric } : {}),
  });
}

