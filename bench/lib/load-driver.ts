/** The bench's side of the load-generator process: typed requests over IPC, one at a time. */
import { join } from 'node:path';
import type { LoadRequest } from '../load-client.js';
import type { HoldRequest, ReleaseResult } from '../load/hold-load.js';
import type { SessionRequest, SessionResult } from '../load/session-load.js';
import type { TunnelRequest, TunnelResult } from '../load/tunnel-load.js';
import type { Child, ProcessSet } from './procs.js';
import { tsxArgs } from './targets.js';

export class LoadDriver {
  readonly child: Child;
  #next = 0;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(child: Child) {
    this.child = child;
    child.proc.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(`load client: ${m.error}`));
      else p.resolve(m.result);
    });
    child.proc.once('exit', () => {
      for (const p of this.#pending.values()) p.reject(new Error('load client exited'));
      this.#pending.clear();
    });
  }

  static async start(ps: ProcessSet): Promise<LoadDriver> {
    const child = ps.spawn('load-client', process.execPath, tsxArgs('load-client.ts'), {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    await child.waitForLine(/load-client ready/);
    return new LoadDriver(child);
  }

  #ask<T>(req: LoadRequest, timeoutMs: number): Promise<T> {
    const id = ++this.#next;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.#pending.delete(id); reject(new Error(`load client: ${req.kind} timed out after ${timeoutMs} ms`)); }, timeoutMs);
      this.#pending.set(id, { resolve: (v) => { clearTimeout(timer); resolve(v as T); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      this.child.proc.send({ id, ...req });
    });
  }

  tunnel(r: TunnelRequest): Promise<TunnelResult> {
    return this.#ask({ kind: 'tunnel', ...r }, r.warmupMs + r.windowMs + 20_000);
  }

  sessions(r: SessionRequest): Promise<SessionResult> {
    return this.#ask({ kind: 'sessions', ...r }, r.warmupMs + r.windowMs + 20_000);
  }

  hold(r: HoldRequest): Promise<{ started: number }> {
    return this.#ask({ kind: 'hold', ...r }, 60_000);
  }

  release(timeoutMs: number, idleMs: number): Promise<ReleaseResult> {
    return this.#ask({ kind: 'release', timeoutMs, idleMs }, timeoutMs + 5000);
  }

  closeHeld(): Promise<void> {
    return this.#ask({ kind: 'close-held' }, 10_000);
  }
}
