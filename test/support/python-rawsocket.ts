import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { DEBIAN_PYTHON } from './incident.js';

const SCRIPT = join(import.meta.dirname, 'python', 'rawsocket_client.py');

export interface PyRawEvent { event: string; reason?: string | null; message?: string | null; result?: unknown; args?: unknown[]; worker?: string | null }

/** One autobahn-python Twisted RawSocket client (test/support/python/rawsocket_client.py). */
export function runPythonRawSocket(t: TestContext, port: number, realm: string, serializer: 'json' | 'msgpack' | 'cbor') {
  const child = spawn(DEBIAN_PYTHON, [SCRIPT, '--port', String(port), '--realm', realm, '--serializer', serializer], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  const events: PyRawEvent[] = [];
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) events.push(JSON.parse(l) as PyRawEvent);
  });
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { events, exited, stderr: () => err, of: (e: string) => events.filter((x) => x.event === e) };
}
