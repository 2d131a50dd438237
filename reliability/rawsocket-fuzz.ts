import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type CheckRow, row } from './check-row.js';

/**
 * Bad input over RawSocket: the generated openings of test/reliability/rawsocket-fuzz-no-crash
 * (random bytes after 0x7F, valid and broken handshakes, HELLOs in json/msgpack/cbor for ready,
 * held and unknown realms, random frames, random chunking, hang-ups) at full size against a real
 * gate. That test fails on any uncaught error, on a connection not answered or freed, or when the
 * gate stops serving afterwards; this row runs it with `inputs` and reports its verdict.
 */
export async function runRawSocketFuzz(inputs: number): Promise<CheckRow> {
  const root = join(import.meta.dirname, '..');
  const t0 = performance.now();
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', 'test/reliability/rawsocket-fuzz-no-crash.test.ts'], {
      cwd: root,
      env: { ...process.env, RG_RAWSOCKET_FUZZ_INPUTS: String(inputs), NODE_TEST_CONTEXT: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (c) => resolve({ code: c, out }));
  });
  // TAP (`# pass 1`) on Node 20, the spec reporter (`ℹ pass 1`) on newer Node.
  const count = (name: string): number => Number(new RegExp(`^(?:#|ℹ) ${name} (\\d+)$`, 'm').exec(out)?.[1] ?? NaN);
  return row('bad input', 'RawSocket openings: handshakes, HELLOs and frames (json, msgpack, cbor), random chunks and hang-ups', {
    'no crash, every connection answered or freed, gate still serving': code === 0 && count('fail') === 0,
  }, { inputs, passedTests: count('pass'), failedTests: count('fail'), seconds: ((performance.now() - t0) / 1000).toFixed(1) });
}
