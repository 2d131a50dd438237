/**
 * The gate as a real process for the reliability suite: the build that ships (`node dist/main.js
 * --config F`) when RG_GATE_FROM=dist (`npm run reliability` builds first and sets it, so memory
 * figures are the product's, without tsx's loader in every thread), else `node --import tsx
 * src/main.ts --config F` (the quick variants in `npm test`, no build needed), so crashes, file descriptors (/proc/<pid>/fd), memory (/proc/<pid>/status) and exit codes are real.
 * Every stdout/stderr line is kept verbatim for the log assertions of the security checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = join(import.meta.dirname, '../src/main.ts');
const BUILT = join(import.meta.dirname, '../dist/main.js');

/** What a gate process left when it exited. */
export interface GateExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() at exit. */
  at: number;
}

export interface GateProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly adminPort: number;
  /** Every stdout line as written (NDJSON). */
  readonly stdout: string[];
  /** Every stderr line as written. */
  readonly stderr: string[];
  readonly exited: Promise<GateExit>;
  /** True once the process has exited. */
  readonly dead: () => boolean;
  /** Open file descriptors right now (entries of /proc/<pid>/fd); -1 once exited. */
  fdCount(): number;
  /** Current and peak resident set size, in KiB (VmRSS, VmHWM of /proc/<pid>/status). */
  memory(): { rssKb: number; peakRssKb: number };
  /** Resolves with the first parsed log line whose msg matches (already logged or later). */
  waitForLog(match: string | RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** JSON of GET admin `path`. */
  admin<T = unknown>(path: string): Promise<T>;
  /** SIGKILL if still running. Idempotent. */
  kill(): void;
}

/** Options for {@link startGateProcess}. */
export interface StartOptions {
  env?: Record<string, string>;
  /** Deadline for 'realmgate started', ms; default 20000. */
  startTimeoutMs?: number;
  /**
   * Open-file limit of the gate process (`ulimit -n` in a shell that then execs node, so the pid
   * stays the gate's); default: inherited. Lets a check exhaust the gate's fds with ~1000 clients.
   */
  fdLimit?: number;
}

/** Spawns the gate with `config` (written to a temp JSON file) and waits for 'realmgate started'. */
export async function startGateProcess(config: object, opts: StartOptions = {}): Promise<GateProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-rel-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const argv = process.env.RG_GATE_FROM === 'dist' ? [BUILT, '--config', file] : ['--import', 'tsx', MAIN, '--config', file];
  const [cmd, args]: [string, string[]] = opts.fdLimit === undefined
    ? [process.execPath, argv]
    : ['/bin/sh', ['-c', `ulimit -n ${Math.floor(opts.fdLimit)} && exec "$0" "$@"`, process.execPath, ...argv]];
  const child = spawn(cmd, args, {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const parsed: Record<string, unknown>[] = [];
  const waiters = new Set<{ match: string | RegExp; resolve: (l: Record<string, unknown>) => void }>();
  const matches = (m: string | RegExp, msg: unknown): boolean => (typeof m === 'string' ? msg === m : m.test(String(msg)));
  let isDead = false;
  const exited = new Promise<GateExit>((resolve) =>
    child.on('exit', (code, signal) => {
      isDead = true;
      resolve({ code, signal, at: performance.now() });
    }),
  );
  createInterface({ input: child.stdout! }).on('line', (text) => {
    stdout.push(text);
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    parsed.push(line);
    for (const w of [...waiters]) {
      if (!matches(w.match, line.msg)) continue;
      waiters.delete(w);
      w.resolve(line);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (text) => stderr.push(text));

  const waitForLog = (match: string | RegExp, timeoutMs = 20_000): Promise<Record<string, unknown>> => {
    const found = parsed.find((l) => matches(match, l.msg));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = {
        match,
        resolve: (l: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`no log line ${String(match)} within ${timeoutMs} ms; stderr: ${stderr.join('\n')}`));
      }, timeoutMs);
      waiters.add(w);
      void exited.then(({ code }) => {
        if (!waiters.delete(w)) return;
        clearTimeout(timer);
        reject(new Error(`gate exited (${code}) before logging ${String(match)}: ${stderr.join('\n')}`));
      });
    });
  };

  const kill = (): void => {
    if (!isDead) child.kill('SIGKILL');
  };
  let started: Record<string, unknown>;
  try {
    started = await waitForLog('realmgate started', opts.startTimeoutMs ?? 20_000);
  } catch (err) {
    kill();
    throw err;
  }
  const port = Number(String(started.listen).split(':').pop());
  const adminPort = Number(String(started.admin).split(':').pop());
  return {
    child, pid, port, adminPort, stdout, stderr, exited, waitForLog, kill,
    dead: () => isDead,
    fdCount: () => {
      try {
        return readdirSync(`/proc/${pid}/fd`).length;
      } catch {
        return -1;
      }
    },
    memory: () => readMemory(pid),
    admin: <T>(path: string): Promise<T> => getJson<T>(adminPort, path),
  };
}

/**
 * GET JSON without connection reuse: a pooled keep-alive socket (fetch's default) would itself
 * hold one of the gate's file descriptors and spoil the fd baseline comparison.
 */
function getJson<T>(port: number, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (err) {
          reject(err as Error);
        }
      });
    }).on('error', reject);
  });
}

/** VmRSS and VmHWM of a process, KiB (0 when unreadable). */
export function readMemory(pid: number): { rssKb: number; peakRssKb: number } {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssKb: 0, peakRssKb: 0 };
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: field('VmRSS'), peakRssKb: field('VmHWM') };
}

/**
 * Polls the fd count until it is at most `baseline` (or `timeoutMs` passes); returns the last count.
 * Closing sockets are released asynchronously (close handshakes, 2–5 s cut-off timers), hence a wait.
 */
export async function fdsSettle(gate: GateProcess, baseline: number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = gate.fdCount();
    if (n <= baseline || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 100));
  }
}
