import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createInterface } from 'node:readline';

const main = join(import.meta.dirname, '../../src/main.ts');

export interface GateProcess {
  child: ChildProcess;
  port: number;
  adminPort: number;
  lines: Record<string, unknown>[];
  /** The config file the process reads (a test may rewrite it and send SIGHUP). */
  file: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line whose msg matches. */
  waitForLog(msg: string | RegExp): Promise<Record<string, unknown>>;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
}

/** Runs `realmgate --config` as a real process (through tsx) and reads its NDJSON log. */
export async function startGateProcess(t: TestContext, config: object, env: Record<string, string> = {}): Promise<GateProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-proc-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--config', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  const lines: Record<string, unknown>[] = [];
  const waiters: { match: string | RegExp; resolve: (l: Record<string, unknown>) => void }[] = [];
  const matches = (m: string | RegExp, msg: string) => (typeof m === 'string' ? msg === m : m.test(msg));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    lines.push(line);
    for (const w of [...waiters]) {
      if (matches(w.match, String(line.msg))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitForLog = (match: string | RegExp) => {
    const found = lines.find((l) => matches(match, String(l.msg)));
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      waiters.push({ match, resolve });
      void exited.then(({ code }) => reject(new Error(`gate exited (${code}) before logging ${match}: ${stderr}`)));
    });
  };
  const started = await waitForLog('realmgate started');
  const port = Number(String(started.listen).split(':').pop());
  const adminPort = Number(String(started.admin).split(':').pop());
  return { child, port, adminPort, lines, file, exited, waitForLog, stderr: () => stderr };
}

/**
 * A gate process with one realm (`realm1`) ready from the start in front of `upstreamPort`, and
 * `preload` imported first (NODE_OPTIONS), e.g. a script that turns on V8 tracing.
 */
export function startReadyGateProcess(t: TestContext, upstreamPort: number, preload: string): Promise<GateProcess> {
  return startGateProcess(t, {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: `http://127.0.0.1:${upstreamPort}` },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  }, { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}` });
}
