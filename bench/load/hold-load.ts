/**
 * Held connections: opens N clients against a gate whose realm is not ready,
 * so each is held (upgrade-time: the 101 is withheld; HELLO peek: the HELLO is
 * sent and the WELCOME withheld). Records when each one is admitted (open, or
 * WELCOME for `wamp`), on the shared monotonic clock.
 */
import type WebSocket from 'ws';
import { nowMicros } from '../lib/stats.js';
import { helloFrame, newClient } from './ws-connect.js';

export interface HoldRequest {
  url: string;
  n: number;
  wamp: boolean;
  /** Connections started per batch; a short pause between batches keeps the gate's accept queue shallow. */
  batch: number;
}

export interface ReleaseResult {
  admitted: number;
  failed: number;
  /** Monotonic µs of the last admission (NaN if none). */
  lastAdmittedAtUs: number;
  firstAdmittedAtUs: number;
  /** Monotonic µs when 99 % of the clients (rounded up) had been admitted (NaN if fewer were). */
  admitted99AtUs: number;
}

/** One set of held clients; `release()` waits for their admission, `close()` drops them all. */
export class HeldClients {
  readonly #clients: WebSocket[] = [];
  readonly #admittedAt: number[] = [];
  #failed = 0;
  #onChange: (() => void) | undefined;

  async open(r: HoldRequest): Promise<{ started: number }> {
    for (let i = 0; i < r.n; i += r.batch) {
      for (let j = i; j < Math.min(r.n, i + r.batch); j++) this.#start(r.url, r.wamp);
      await new Promise((res) => setTimeout(res, 5));
    }
    return { started: this.#clients.length };
  }

  #start(url: string, wamp: boolean): void {
    // Long handshake deadline: a held upgrade is answered only on release.
    const ws = newClient(url, wamp, 600_000);
    this.#clients.push(ws);
    let done = false;
    const admitted = (): void => {
      if (done) return;
      done = true;
      this.#admittedAt.push(nowMicros());
      this.#onChange?.();
    };
    const failed = (): void => {
      if (done) return;
      done = true;
      this.#failed++;
      this.#onChange?.();
    };
    ws.on('error', failed);
    ws.on('close', failed);
    ws.on('unexpected-response', failed);
    ws.once('open', () => {
      if (!wamp) return admitted();
      ws.send(helloFrame('held'));
      ws.once('message', admitted);
    });
  }

  /**
   * Waits until every client was admitted or failed, or `timeoutMs` passed, or — once at least one
   * was admitted — `idleMs` passed without any client being admitted or failing (the rest are
   * retrying past the gate's fd limit and would wait until their deadline).
   */
  async release(timeoutMs: number, idleMs: number): Promise<ReleaseResult> {
    const total = this.#clients.length;
    await new Promise<void>((resolve) => {
      let idle: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => { clearTimeout(timer); clearTimeout(idle); resolve(); };
      const timer = setTimeout(done, timeoutMs);
      this.#onChange = () => {
        if (this.#admittedAt.length + this.#failed >= total) return done();
        if (this.#admittedAt.length === 0) return;
        clearTimeout(idle);
        idle = setTimeout(done, idleMs);
      };
      this.#onChange();
    });
    this.#onChange = undefined;
    const sorted = [...this.#admittedAt].sort((a, b) => a - b);
    return {
      admitted99AtUs: sorted[Math.ceil(total * 0.99) - 1] ?? NaN,
      admitted: this.#admittedAt.length,
      failed: this.#failed,
      lastAdmittedAtUs: this.#admittedAt.length ? Math.max(...this.#admittedAt) : NaN,
      firstAdmittedAtUs: this.#admittedAt.length ? Math.min(...this.#admittedAt) : NaN,
    };
  }

  close(): void {
    for (const ws of this.#clients) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
    }
    this.#clients.length = 0;
    this.#admittedAt.length = 0;
    this.#failed = 0;
  }
}
