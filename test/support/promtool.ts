import { spawn } from 'node:child_process';

/** Runs `promtool ARGS` with `stdin`; resolves with its exit code and output (never throws on a non-zero exit). */
export function promtool(args: string[], stdin = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', (err) => reject(new Error(`cannot run promtool (Debian: apt-get install prometheus): ${err.message}`)));
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(stdin);
  });
}
