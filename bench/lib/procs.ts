/**
 * Child processes of the bench: spawned with their stdout read line by line,
 * every one killed when the bench exits (normally, on error or on SIGINT),
 * plus the /proc readings the bench reports (CPU time, RSS, open fds).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Clock ticks per second of /proc/<pid>/stat utime and stime (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;

export interface Child {
  proc: ChildProcess;
  pid: number;
  name: string;
  /** Resolves with the first stdout line matching; rejects if the child exits first or after timeoutMs. */
  waitForLine(match: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after graceMs (default 2000); resolves when it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Owns every child the bench starts; `killAll()` is idempotent and synchronous (safe in 'exit'). */
export class ProcessSet {
  readonly #children = new Set<Child>();

  constructor() {
    const killAll = (): void => this.killAll();
    process.once('exit', killAll);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        killAll();
        process.exit(130);
      });
    }
  }

  spawn(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): Child {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    if (proc.pid === undefined) throw new Error(`${name}: could not spawn ${cmd}`);
    const lines: string[] = [];
    const waiters: { match: RegExp; resolve: (l: string) => void }[] = [];
    let stderr = '';
    // RG_BENCH_STDOUT_DIR: every child's stdout kept in DIR/<name>-<pid>.log (e.g. with --trace-gc in RG_BENCH_NODE_ARGS).
    const keep = process.env.RG_BENCH_STDOUT_DIR ? `${process.env.RG_BENCH_STDOUT_DIR}/${name}-${proc.pid}.log` : undefined;
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (keep) appendFileSync(keep, `${l}\n`);
      lines.push(l);
      if (lines.length > 200) lines.shift();
      for (const w of [...waiters]) if (w.match.test(l)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(l); }
    });
    proc.stderr?.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const child: Child = {
      proc,
      pid: proc.pid,
      name,
      waitForLine: (match, timeoutMs = 15_000) => {
        const found = lines.find((l) => match.test(l));
        if (found !== undefined) return Promise.resolve(found);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${name}: no line ${match} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
          waiters.push({ match, resolve: (l) => { clearTimeout(timer); resolve(l); } });
          void exited.then(() => { clearTimeout(timer); reject(new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}) before ${match}; stderr: ${stderr}`)); });
        });
      },
      stop: async (graceMs = 2000) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
        this.#children.delete(child);
      },
    };
    this.#children.add(child);
    proc.once('exit', () => this.#children.delete(child));
    return child;
  }

  killAll(): void {
    for (const c of this.#children) {
      try { c.proc.kill('SIGKILL'); } catch { /* already gone */ }
    }
    this.#children.clear();
  }
}

/** A pid and all its descendants (nginx master + workers), from /proc/<pid>/task/<tid>/children. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length && i < 64; i++) {
    const p = out[i]!;
    let tids: string[] = [];
    try { tids = readdirSync(`/proc/${p}/task`); } catch { continue; }
    for (const tid of tids) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) if (c) out.push(Number(c));
      } catch { /* exited meanwhile */ }
    }
  }
  return out;
}

/** utime + stime of the processes, in µs (10 ms resolution); a pid that is gone counts 0. */
export function cpuMicros(pids: readonly number[], which: 'all' | 'system' = 'all'): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the ")" that closes comm: state is field 3, utime 14, stime 15.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += (which === 'all' ? Number(f[11]) : 0) + Number(f[12]);
    } catch { /* gone */ }
  }
  return (ticks * 1_000_000) / CLK_TCK;
}

/** utime + stime of a process's main thread (the event loop, without GC and libuv helpers), µs. */
export function mainThreadCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1_000_000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** VmRSS of a process in KiB (NaN if gone). */
export function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch { return NaN; }
}

/** Number of open file descriptors of a process. */
export function openFds(pid: number): number {
  try { return readdirSync(`/proc/${pid}/fd`).length; } catch { return NaN; }
}

/** The process's open-file limit (soft RLIMIT_NOFILE, /proc/PID/limits); NaN where it cannot be read. */
export function fdLimit(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'latin1').split('\n').find((l) => l.startsWith('Max open files'));
    return Number(line?.trim().split(/\s+/)[3] ?? NaN);
  } catch {
    return NaN;
  }
}
