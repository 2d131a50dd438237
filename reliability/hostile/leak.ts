/**
 * Attack 1, leak: HELLO-peek sessions that end without a HELLO — half send a first message that is
 * not a HELLO (close 1002), half send nothing (close 1008 at hello.timeoutMs) — in a bounded loop.
 * Afterwards fds and RSS must come back, and nothing may stay pending: a drain counts what it
 * still finds (`held clients answered "draining"`, `refused`), which must be 0.
 */
import { upgrade, upgradeHead } from '../clients.js';
import { fdsSettle } from '../gate-process.js';
import { startLocalUpstream } from './upstream.js';
import type { CheckRow } from '../check-row.js';
import { adminRequest, attackGate, hostileRow, pool, show, tally } from './harness.js';
import { answerOf, notAHello } from './wire.js';

export interface LeakOptions {
  /** Sessions in all (half invalid, half silent); default 20000. */
  sessions?: number;
  concurrency?: number;
  helloTimeoutMs?: number;
  deadlineMs?: number;
}

export async function runLeak(opts: LeakOptions = {}): Promise<CheckRow> {
  const sessions = opts.sessions ?? 20_000;
  const helloTimeoutMs = opts.helloTimeoutMs ?? 300;
  const deadline = Date.now() + (opts.deadlineMs ?? 120_000);
  const upstream = await startLocalUpstream(['realm1']);
  const a = await attackGate({
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url }, realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
    hello: { timeoutMs: helloTimeoutMs }, log: { level: 'info' },
  });
  try {
    const bad = notAHello();
    const t0 = performance.now();
    const answers = await pool(sessions, opts.concurrency ?? 400, deadline, async (i) => {
      const u = await upgrade(a.gate.port, upgradeHead('/ws'), i % 2 === 0 ? bad : undefined, 10_000);
      const kind = await answerOf(u, helloTimeoutMs + 5000);
      u.socket.destroy();
      return `${i % 2 === 0 ? 'invalid' : 'silent'} → ${kind}`;
    });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const t = tally(answers);
    // fds are judged before the drain (which would close anything still open).
    const fdBeforeDrain = await fdsSettle(a.gate, a.fdBaseline);
    const rssBeforeDrainKb = a.gate.memory().rssKb;
    const drainStatus = await adminRequest(a.gate.adminPort);
    const line = await a.gate.waitForLog(/answered "draining"/, 2000).catch(() => undefined);
    const pendingAfter = Number(line?.refused ?? 0);
    const c = { ...(await a.finish()), fdAfter: fdBeforeDrain };
    const expected = (kind: string): number => answers.filter((x) => x === kind).length;
    const closed = expected('invalid → ws-close:1002') + expected('silent → ws-close:1008');
    return hostileRow(`leak: ${answers.length} HELLO-peek sessions without a HELLO (invalid → 1002, silent → 1008)`, c, {
      [`all ${sessions} sessions run`]: answers.length === sessions,
      'every session closed 1002 / 1008': closed === answers.length,
      'nothing pending afterwards (drain refused 0)': pendingAfter === 0,
    }, {
      sessions: answers.length, seconds, helloTimeoutMs, answers: show(t), rssBeforeDrainMiB: Math.round(rssBeforeDrainKb / 1024), rssRetainedMiB: Math.round((rssBeforeDrainKb - a.rssBaselineKb) / 1024),
      drainStatus, pendingFoundByDrain: pendingAfter,
    });
  } finally {
    await a.finish();
    upstream.stop();
  }
}
