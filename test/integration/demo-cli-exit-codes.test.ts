import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const main = join(import.meta.dirname, '../../src/main.ts');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('`realmgate demo --clients 6 --duration-ms 3000` prints the timeline and the verdict, then exits 0', async () => {
  const { code, stdout, stderr } = await cli(['demo', '--clients', '6', '--duration-ms', '3000']);
  assert.equal(code, 0, stderr);
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  assert.match(last, /^direct: [1-6] of 6 refused \(no_such_realm\) · through realmgate: 0 of 6 refused, max wait \d+\.\d s$/, stdout);
  assert.match(stdout, /^t\+ *0\.0 s  master: realm "realm1" has no routes yet/m);
  assert.equal(stderr, '', 'the gate stays quiet (warnings would land on stderr)');
});

test('`realmgate demo` with a bad flag value says why and exits 1', async () => {
  const { code, stderr, stdout } = await cli(['demo', '--serializer', 'xml']);
  assert.equal(code, 1);
  assert.match(stderr, /--serializer must be one of json, msgpack, cbor \(got xml\)/);
  assert.equal(stdout, '');
});
