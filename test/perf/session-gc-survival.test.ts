import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startReadyGateProcess } from '../support/gate-process.js';
import { upgradeRequest } from '../support/raw-http.js';
import { startRawUpstream } from '../support/raw-upstream.js';

/**
 * Regression guard without timing: how much of the young generation survives each scavenge
 * while the gate sets up and tears down short sessions (upgrade, 101, close). A session's
 * objects die within milliseconds, so a scavenge should find only the few sessions in flight.
 * A bare Node forwarder: 8-13 %; the gate: 8-10 %. Two causes kept a third to a half of it alive
 * at every scavenge, each measured here with `--trace-gc-nvp` (promotion_ratio +
 * new_space_survive_rate_):
 * - V8's allocation-site pretenuring misfiring under connection churn (src/v8-tuning.ts): ~36 %.
 * - every connection joining and leaving a long-lived Set/Map (proxy/slot-set.ts): 40-50 %, but
 *   only once a mark-compact had run - which every gate that runs long enough does, and which
 *   happened by chance in one test process out of three. So this test runs one first.
 * On Node 22 and 24 the young generation grows larger and the first ~10 scavenges (~13,000
 * sessions) stay at 20-48 % before settling at 0-2 %, so there the warm-up is longer and more
 * sessions are measured (fewer, larger scavenges). Measured there over 30,000 sessions: the code
 * before the slot change stayed at 26-29 %, also after a mark-compact; with it, 0 %.
 */
const LOOPS = 16;
const LATER_V8 = Number(process.versions.node.split('.')[0]) >= 22;
const WARM_UP = LATER_V8 ? 16_000 : 1600;
const SESSIONS = LATER_V8 ? 9600 : 2400;
const MAX_SURVIVAL_PERCENT = 20;

function session(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let head = '';
    sock.on('error', reject);
    sock.on('data', (c: Buffer) => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`expected a 101, got ${head.split('\r\n')[0]}`));
      sock.destroy();
      resolve();
    });
    sock.write(upgradeRequest('/?realm=realm1'));
  });
}

async function run(port: number, n: number): Promise<void> {
  const loop = async (k: number): Promise<void> => {
    for (let i = 0; i < k; i++) await session(port);
  };
  await Promise.all(Array.from({ length: LOOPS }, () => loop(Math.ceil(n / LOOPS))));
}

/** Median survival (%) of the scavenges during SESSIONS sessions through a fresh gate process. */
async function measure(t: import('node:test').TestContext, upstreamPort: number): Promise<{ median: number; scavenges: number[] }> {
  const gate = await startReadyGateProcess(t, upstreamPort, join(import.meta.dirname, 'gc-nvp.mjs'));
  // Warm-up outside the count: the first few scavenges after start promote what start-up, the JIT
  // and the pools keep (20-40 % survive them with or without pretenuring).
  await run(gate.port, WARM_UP);
  // Then a full mark-compact: it promotes whatever is live in the young generation, as in a gate
  // that has run for a while; a registry that chains its garbage across sessions shows from here.
  const fullGc = new Promise<void>((resolve) => {
    createInterface({ input: gate.child.stdout! }).on('line', (l) => l === 'full-gc-done' && resolve());
  });
  gate.child.kill('SIGUSR2');
  await fullGc;
  const scavenges: number[] = [];
  gate.child.stdout!.on('data', (c: Buffer) => {
    for (const line of c.toString('latin1').split('\n')) {
      if (!/\bgc=s\b/.test(line)) continue;
      const promoted = /\bpromotion_ratio=([\d.]+)%/.exec(line);
      const survived = /\bnew_space_survive_rate_=([\d.]+)%/.exec(line);
      if (promoted && survived) scavenges.push(Number(promoted[1]) + Number(survived[1]));
    }
  });
  await run(gate.port, SESSIONS);
  assert.ok(scavenges.length >= 2, `only ${scavenges.length} scavenges during ${SESSIONS} sessions: too few to judge`);
  // The median: one scavenge that lands on a burst of in-flight sessions or a pool growing does not decide.
  const median = [...scavenges].sort((a, b) => a - b)[Math.floor(scavenges.length / 2)]!;
  t.diagnostic(`${SESSIONS} sessions: ${scavenges.length} scavenges, young generation surviving each: ${scavenges.map((x) => x.toFixed(1)).join(', ')} % (median ${median.toFixed(1)} %)`);
  return { median, scavenges };
}

test('short sessions leave (almost) nothing alive for the scavenger, also after a mark-compact', async (t) => {
  // Ends its side when the gate passes on the client's FIN, as Crossbar does: the tunnel closes.
  const upstreamPort = await startRawUpstream(t, (sock) => {
    sock.resume();
    sock.on('end', () => sock.end());
  });
  const result = await measure(t, upstreamPort);
  assert.ok(result.median <= MAX_SURVIVAL_PERCENT, `median ${result.median.toFixed(1)} % of the young generation survived a scavenge (> ${MAX_SURVIVAL_PERCENT} %; a bare Node forwarder: 8-13 %)`);
});
