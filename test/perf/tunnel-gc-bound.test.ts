import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { startReadyGateProcess, type GateProcess } from '../support/gate-process.js';
import { upgradeRequest } from '../support/raw-http.js';
import { startRawUpstream } from '../support/raw-upstream.js';

/**
 * Regression guard without timing: the garbage collections a realmgate process runs per MiB
 * forwarded through admitted tunnels. Node's stream pipe allocates a 64 KiB ArrayBuffer per
 * read; V8 scavenges every ~32 MiB of them (a bare Node pipe: ~0.031 GCs per MiB, no
 * mark-compact) and, with realmgate's larger old generation, also ran a full mark-compact every
 * ~30-40 ms under load. The tunnel pipe reads into reused buffers (src/proxy/pipe.ts), so
 * forwarding allocates almost nothing.
 */
const CONNS = 8;
const MIB_PER_CONN = 24;
const CHUNK = 64 * 1024;
const IN_FLIGHT = 4 * CHUNK;
/** The bare pipe's 0.031 GCs/MiB would be ~12 here; the reused-buffer pipe does ~0-2. */
const MAX_GCS_PER_MIB = 0.012;

/** One tunnel: sends `bytes` in 64 KiB chunks with at most IN_FLIGHT unanswered; resolves when all came back. */
function pump(port: number, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(CHUNK, 0x61);
    let sent = 0;
    let received = 0;
    let headSeen = false;
    const fill = (): void => {
      while (sent < bytes && sent - received < IN_FLIGHT) {
        sock.write(chunk);
        sent += CHUNK;
      }
    };
    sock.on('error', reject);
    sock.on('close', () => reject(new Error(`tunnel closed after ${received} of ${bytes} bytes`)));
    sock.on('data', (c: Buffer) => {
      if (!headSeen) {
        const end = c.indexOf('\r\n\r\n');
        assert.match(c.subarray(0, 12).toString('latin1'), /^HTTP\/1\.1 101/);
        headSeen = true;
        received += c.length - end - 4;
      } else {
        received += c.length;
      }
      if (received >= bytes) {
        sock.removeAllListeners('close');
        sock.destroy();
        return resolve();
      }
      fill();
    });
    sock.write(upgradeRequest('/?realm=realm1'));
    sock.once('data', fill);
  });
}

async function gcCounts(gate: GateProcess): Promise<{ minor: number; major: number; incremental: number }> {
  const before = gate.lines.length;
  gate.child.kill('SIGUSR2');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const line = gate.lines.slice(before).find((l) => l.msg === 'gc counts');
    if (line) return line as unknown as { minor: number; major: number; incremental: number };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the gate did not report its GC counts');
}

test('forwarding through tunnels costs (almost) no garbage collection per MiB', async (t) => {
  const upstreamPort = await startRawUpstream(t, (sock, rest) => {
    if (rest.length > 0) sock.write(rest);
    sock.pipe(sock);
  });
  const gate = await startReadyGateProcess(t, upstreamPort, join(import.meta.dirname, 'gc-counter.mjs'));
  // Warm-up (JIT, pools) outside the count.
  await Promise.all(Array.from({ length: CONNS }, () => pump(gate.port, 2 * CHUNK)));
  const before = await gcCounts(gate);
  await Promise.all(Array.from({ length: CONNS }, () => pump(gate.port, MIB_PER_CONN * 2 ** 20)));
  const after = await gcCounts(gate);
  const mib = 2 * CONNS * MIB_PER_CONN; // both directions
  const gcs = after.minor + after.major + after.incremental - (before.minor + before.major + before.incremental);
  const majors = after.major - before.major;
  t.diagnostic(`${mib} MiB forwarded: ${gcs} GCs (${majors} mark-compacts), ${(gcs / mib).toFixed(4)} per MiB`);
  assert.ok(majors <= 1, `${majors} mark-compacts while forwarding ${mib} MiB (a bare Node pipe does none)`);
  assert.ok(gcs / mib <= MAX_GCS_PER_MIB, `${gcs} GCs for ${mib} MiB = ${(gcs / mib).toFixed(4)}/MiB > ${MAX_GCS_PER_MIB} (a bare Node pipe: ~0.031)`);
});
