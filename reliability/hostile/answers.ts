/**
 * Attack 9, wrong answers and path tricks. (a) With `unknownRealm: reject` and no HELLO peek: a
 * client with no realm hint, a realm not served here, a full queue, and — after POST /drain — a new
 * client and `/health/ready/<realm>`: every answer must say what is true (not served here: no
 * "retry"; queue full: says so; draining: says draining, never "ready"). (b) Realm paths: with
 * `/ws/realm1` held (realm not ready), `/ws/%72ealm1`, `/ws//realm1`, `/ws/./realm1` must be held
 * the same way (or refused), not passed to the upstream as unknown realms.
 */
import { sleep, upgrade, upgradeHead } from '../clients.js';
import { startLocalUpstream } from './upstream.js';
import type { CheckRow } from '../check-row.js';
import { adminRequest, attackGate, getText, hostileRow, worst, type Common } from './harness.js';

/** One upgrade's answer: status, X-Realmgate-Reason, body message; `held` if nothing came within `holdMs`. */
async function ask(port: number, path: string, holdMs = 1000): Promise<{ status: string; reason: string; message: string; retryAfter: boolean }> {
  const u = await upgrade(port, upgradeHead(path), undefined, holdMs);
  let body = u.head.slice(u.head.indexOf('\r\n\r\n') + 4);
  if (typeof u.status === 'number' && u.status !== 101 && body.length === 0) {
    await Promise.race([new Promise((r) => u.socket.once('data', (c: Buffer) => r((body += c.toString())))), sleep(500)]);
  }
  u.socket.destroy();
  let message = '';
  try {
    message = String((JSON.parse(body) as { message?: unknown }).message ?? '');
  } catch {
    message = body.slice(0, 120);
  }
  return {
    status: u.status === 'timeout' ? 'held' : String(u.status),
    reason: /\r\nx-realmgate-reason:\s*(\S+)/i.exec(u.head)?.[1] ?? '-',
    message, retryAfter: /\r\nretry-after:/i.test(u.head),
  };
}

const fmt = (a: Awaited<ReturnType<typeof ask>>): string => `${a.status} ${a.reason}${a.retryAfter ? ' +Retry-After' : ''} "${a.message}"`;

export async function runAnswers(): Promise<CheckRow> {
  const upstream = await startLocalUpstream(['realm1']);
  const commons: Common[] = [];
  try {
    const a = await attackGate({
      listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
      upstream: { url: upstream.url }, unknownRealm: 'reject', realmFrom: ['path', 'query'],
      realms: [{ name: 'realm1' }, { name: 'realm2', maxQueued: 0 }],
      readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
      shutdown: { delayMs: 0, drainTimeoutMs: 1000 }, log: { level: 'info' },
    });
    type Answer = Awaited<ReturnType<typeof ask>>;
    let noHint: Answer, notServed: Answer, full: Answer, draining: Answer;
    let readyDuringDrain: { status: number; body: string };
    try {
      noHint = await ask(a.gate.port, '/ws');
      notServed = await ask(a.gate.port, '/ws?realm=not.served.here');
      full = await ask(a.gate.port, '/ws?realm=realm2');
      await adminRequest(a.gate.adminPort);
      draining = await ask(a.gate.port, '/ws?realm=realm1');
      readyDuringDrain = await getText(a.gate.adminPort, '/health/ready/realm1');
    } finally {
      commons.push(await a.finish());
    }
    let readyReason = '';
    try {
      readyReason = String((JSON.parse(readyDuringDrain.body) as { reason?: unknown }).reason ?? '');
    } catch {
      readyReason = readyDuringDrain.body.slice(0, 120);
    }
    const retries = (m: string): boolean => /retry/i.test(m);
    return hostileRow('wrong answers: no realm hint, not served here, queue full, draining (unknownRealm: reject)', worst(commons), {
      'no realm hint: not told "shutting down"': !/shutting down|draining/i.test(noHint.message),
      'not served here: not told to retry': !retries(notServed.message) && !notServed.retryAfter,
      // "not ready yet" is the lie here: the realm may be ready, its queue is what is full.
      'queue full: says so, not "not ready"': full.reason === 'queue_full' && !/not ready/i.test(full.message) && /full|queue|too many|waiting/i.test(full.message),
      'draining: says draining': /drain|shutting down/i.test(draining.message) && !/not ready/i.test(draining.message) && draining.reason === 'draining',
      '/health/ready/<realm> during drain: reason says draining': /drain/i.test(readyReason) && !/^ready/i.test(readyReason),
    }, {
      noRealmHint: fmt(noHint), notServedHere: fmt(notServed), queueFull: fmt(full), afterDrain: fmt(draining),
      readyRealmDuringDrain: `${readyDuringDrain.status} reason "${readyReason}"`,
    });
  } finally {
    upstream.stop();
  }
}

export async function runPaths(): Promise<CheckRow> {
  const upstream = await startLocalUpstream(['realm1']);
  const a = await attackGate({
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1', paths: ['/ws/realm1'], queueTimeoutMs: 60_000 }],
    readiness: { sources: [{ type: 'static', notReady: ['realm1'] }] }, log: { level: 'info' },
  });
  try {
    const paths = ['/ws/realm1', '/ws/%72ealm1', '/ws//realm1', '/ws/./realm1', '/ws/realm1/', '/ws/x/../realm1'];
    // Refused by the gate itself: a 4xx carrying its reason header or naming the path/realm (an upstream 404 does neither).
    const refusedByGate = (x: Awaited<ReturnType<typeof ask>>): boolean => /^4\d\d$/.test(x.status) && (x.reason !== '-' || /path|realm/i.test(x.message));
    const got: Record<string, string> = {};
    const ok: Record<string, boolean> = {};
    // All at once: a held client is one that got nothing within 1.5 s.
    await Promise.all(paths.map(async (p) => {
      const x = await ask(a.gate.port, p, 1500);
      got[p] = fmt(x);
      ok[p] = x.status === 'held' || refusedByGate(x);
    }));
    const c = await a.finish();
    return hostileRow('paths: /ws/realm1 held; %-encoded, // and dot-segment variants', c, {
      '/ws/realm1 held': got['/ws/realm1']!.startsWith('held'),
      'every variant held like /ws/realm1 or refused by the gate': paths.every((p) => ok[p]),
    }, Object.fromEntries(paths.map((p) => [p, got[p]!])));
  } finally {
    await a.finish();
    upstream.stop();
  }
}
