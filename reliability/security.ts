/**
 * Security checks: the admin port is separate from the client port; private keys and
 * Authorization/Cookie values never reach the logs (asserted on every captured line at trace
 * level); oversize headers and HELLOs are refused before unbounded data is buffered.
 */
import net from 'node:net';
import { generateCryptosignKey } from '../src/crossbar/cryptosign.js';
import { SimulatedMaster } from '../src/simulator/master-api.js';
import { crashCount } from './bad-input.js';
import { row, type CheckRow } from './check-row.js';
import { helloFrame, sleep, upgrade, upgradeHead } from './clients.js';
import { startGateProcess, type GateProcess } from './gate-process.js';
import { rawFrame } from './inputs.js';
import { startUpstreamProcess } from './upstream-process.js';

const G = 'security';

/**
 * Streams `total` bytes (`first`, then filler) in 4 KiB writes a few ms apart until the gate answers
 * or closes; returns how many bytes had been written when it did, and what it answered. The pacing
 * keeps kernel socket buffers from hiding how much the gate itself took in.
 */
function streamUntilRefused(port: number, first: Buffer, total: number, filler: number): Promise<{ sentBeforeAnswer: number; answer: string }> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let sent = 0;
    let sentAtAnswer = -1;
    let answer = '';
    const finish = (): void => {
      sock.destroy();
      resolve({ sentBeforeAnswer: sentAtAnswer < 0 ? sent : sentAtAnswer, answer: answer.slice(0, 200) });
    };
    sock.on('data', (c: Buffer) => {
      if (sentAtAnswer < 0) sentAtAnswer = sent;
      answer += c.toString('latin1');
    });
    sock.on('error', finish);
    sock.on('close', finish);
    sock.on('connect', async () => {
      const chunk = Buffer.alloc(4 * 1024, filler);
      sock.write(first);
      sent = first.length;
      while (sent < total && !sock.destroyed && sentAtAnswer < 0) {
        const ok = sock.write(chunk);
        sent += chunk.length;
        if (!ok) await Promise.race([new Promise((r) => sock.once('drain', r)), sleep(2000)]);
        await sleep(2);
      }
      await sleep(3000);
      finish();
    });
  });
}

async function secretsInLogs(gate: GateProcess, secrets: string[]): Promise<number> {
  await sleep(500); // let pino's async destination flush
  return [...gate.stdout, ...gate.stderr].filter((l) => secrets.some((s) => l.includes(s))).length;
}

export async function runSecurity(): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const upstream = await startUpstreamProcess(['realm1']);
  const key = generateCryptosignKey();
  const wrong = generateCryptosignKey();
  // The master knows another key, so every session attempt fails and is logged (at trace level).
  const master = new SimulatedMaster({ superusers: [wrong.publicKeyHex] });
  const { url: masterUrl } = await master.listen();
  const gate = await startGateProcess({
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }, { name: 'realm2', onNotReady: 'reject' }],
    realmFrom: ['path', 'query', 'header', 'hello'],
    readiness: { combine: 'any', sources: [
      { type: 'static', ready: ['realm1'] },
      { type: 'crossbar', url: masterUrl, authid: 'realmgate', privateKeyEnv: 'RG_KEY', node: 'node1', webcluster: 'cluster1',
        pollIntervalMs: 200, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } },
    ] },
    log: { level: 'trace' },
  }, { env: { RG_KEY: key.seedHex, REALMGATE_LOG_LEVEL: 'trace' } });
  try {
    // Admin port separate: different port; the client port does not answer admin paths itself.
    const clientLive = await fetch(`http://127.0.0.1:${gate.port}/health/live`);
    const clientLiveBody = await clientLive.text();
    const clientMetrics = await (await fetch(`http://127.0.0.1:${gate.port}/metrics`)).text();
    const adminLive = (await fetch(`http://127.0.0.1:${gate.adminPort}/health/live`)).status;
    const adminUpgrade = await upgrade(gate.adminPort, upgradeHead('/ws?realm=realm1'), undefined, 5000);
    adminUpgrade.socket.destroy();
    rows.push(row(G, 'admin port separate from client port', {
      'different ports': gate.port !== gate.adminPort, 'admin answers /health/live': adminLive === 200,
      'client port does not serve /health/live': !clientLiveBody.includes('"status":"ok"'),
      'client port does not serve /metrics': !clientMetrics.includes('realmgate_'),
      'admin port does not tunnel WebSockets': adminUpgrade.status !== 101,
    }, { clientPort: gate.port, adminPort: gate.adminPort, clientPortHealthLive: clientLive.status, adminPortUpgradeStatus: adminUpgrade.status }));

    // Secrets in requests of every kind: forwarded HTTP, tunnelled, refused, HELLO-mode, malformed.
    const bearer = `Bearer tok-${key.seedHex.slice(0, 12)}-authz`;
    const cookie = `sid=cookie-${key.seedHex.slice(12, 24)}`;
    const hdr = { Authorization: bearer, Cookie: cookie };
    await fetch(`http://127.0.0.1:${gate.port}/ws`, { headers: hdr });
    for (const path of ['/ws?realm=realm1', '/ws?realm=realm2', '/ws?realm=nope', '/ws?realm=a%20b', '/ws']) {
      const u = await upgrade(gate.port, upgradeHead(path, hdr), path === '/ws' ? helloFrame('realm2') : undefined, 5000);
      u.socket.destroy();
    }
    const bad = await upgrade(gate.port, upgradeHead('/ws?realm=realm1', { ...hdr, 'Sec-WebSocket-Key': 'bad' }), undefined, 5000);
    bad.socket.destroy();
    await gate.waitForLog(/readiness source .* failed/, 10_000).catch(() => undefined);
    const leaked = await secretsInLogs(gate, [key.seedHex, bearer, cookie, 'tok-', 'cookie-']);
    rows.push(row(G, 'no private key, Authorization or Cookie in logs', { 'no captured line contains a secret': leaked === 0, 'no crash': crashCount(gate) === 0 },
      { logLevel: 'trace', linesCaptured: gate.stdout.length + gate.stderr.length, sourceFailuresLogged: gate.stdout.filter((l) => l.includes('failed')).length, linesWithSecret: leaked }));

    // Oversize request head: 1 MiB of header streamed; refused (431) after about the 16 KiB limit.
    const head = await streamUntilRefused(gate.port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nX-Big: '), 512 * 1024, 0x61);
    // Oversize HELLO: a frame header declaring 2^32 bytes, then data; refused (1009) from the header alone.
    const hdrOnly = Buffer.from(upgradeHead('/ws'), 'latin1');
    const big = rawFrame(true, 0, 1, true, Buffer.alloc(0), 'lie-huge');
    const hello = await streamUntilRefused(gate.port, Buffer.concat([hdrOnly, big]), 512 * 1024, 0x20);
    // Fragmented HELLO: endless non-final fragments; refused once they pass hello.maxBytes (64 KiB).
    const frag = await streamFragments(gate.port, hdrOnly, 1024 * 1024);
    const rss = gate.memory();
    rows.push(row(G, 'oversize headers and HELLOs refused before buffering', {
      'header answered 431': head.answer.startsWith('HTTP/1.1 431'), 'header refused within 64 KiB': head.sentBeforeAnswer <= 64 * 1024,
      'huge HELLO closed 1009': /\x03\xf1/.test(hello.answer), 'huge HELLO refused within 64 KiB': hello.sentBeforeAnswer <= 64 * 1024 + hdrOnly.length,
      'fragmented HELLO closed 1009': /\x03\xf1/.test(frag.answer), 'fragments refused within 256 KiB': frag.sentBeforeAnswer <= 256 * 1024,
      'no crash': crashCount(gate) === 0,
    }, { headerBytesSentBeforeAnswer: head.sentBeforeAnswer, headerAnswer: head.answer.split('\r\n')[0] ?? '', helloDeclaredBytes: 2 ** 32,
      helloBytesSentBeforeClose: hello.sentBeforeAnswer, fragmentBytesSentBeforeClose: frag.sentBeforeAnswer, gatePeakRssKb: rss.peakRssKb }));
  } finally {
    gate.kill();
    master.destroy();
    upstream.stop();
  }
  return rows;
}

/** Handshake, then masked 8 KiB non-final fragments until the gate answers (after the 101) or `total`. */
async function streamFragments(port: number, hdr: Buffer, total: number): Promise<{ sentBeforeAnswer: number; answer: string }> {
  const first = rawFrame(false, 0, 1, true, Buffer.alloc(8192, 0x20));
  const cont = rawFrame(false, 0, 0, true, Buffer.alloc(8192, 0x20));
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    let sent = 0;
    let at = -1;
    const finish = (): void => {
      sock.destroy();
      resolve({ sentBeforeAnswer: at < 0 ? sent : at, answer: got.slice(got.indexOf('\r\n\r\n') + 4) });
    };
    sock.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (at < 0 && got.includes('\r\n\r\n') && got.length > got.indexOf('\r\n\r\n') + 4) at = sent;
    });
    sock.on('error', finish);
    sock.on('close', finish);
    sock.on('connect', async () => {
      sock.write(Buffer.concat([hdr, first]));
      sent = first.length;
      while (sent < total && !sock.destroyed && at < 0) {
        if (!sock.write(cont)) await Promise.race([new Promise((r) => sock.once('drain', r)), sleep(2000)]);
        sent += cont.length;
        await sleep(1);
      }
      await sleep(3000);
      finish();
    });
  });
}
