import { ReadBuffers } from './pipe.js';
import { SlotSet } from './slot-set.js';

/**
 * Open tunnels, counted per realm label, for drain, /status and the
 * realmgate_tunnels_active gauge.
 */
export interface TunnelHandle {
  destroy(): void;
  /** A tunnel that can read into reused buffers takes them from the registry's pool (pipe.ts). */
  useReadBuffers?(pool: ReadBuffers): void;
}

export class Tunnels {
  /** Reused read buffers for open tunnels (bounded; the tunnels beyond it forward in stream mode). */
  readonly readBuffers: ReadBuffers;
  /** Joined and left by every connection: slots, not a Set (slot-set.ts says why). */
  readonly #open = new SlotSet<TunnelHandle>();
  /** Admitted clients whose upstream connect/handshake is in flight: drain waits for them too. */
  readonly #connecting = new SlotSet<TunnelHandle>();
  readonly #byRealm = new Map<string, number>();
  #waiters: (() => void)[] = [];
  #closed = false;

  constructor(opts: { readBuffers?: ReadBuffers } = {}) {
    this.readBuffers = opts.readBuffers ?? new ReadBuffers();
  }

  /**
   * Counts an admitted client from the moment its upstream connect starts, so a shutdown in
   * that window waits for it (drainTimeoutMs) instead of cutting it. Call the returned function
   * when the connect ends either way (after add() on success).
   */
  reserve(handle: TunnelHandle): () => void {
    if (this.#closed) {
      handle.destroy();
      return () => {};
    }
    const slot = this.#connecting.add(handle);
    return () => {
      if (this.#connecting.delete(slot, handle)) this.#notifyIfIdle();
    };
  }

  /** Registers an open tunnel; call the returned function exactly when it closes. */
  add(realm: string, handle: TunnelHandle): () => void {
    // A connect that finished after destroyAll(): nothing may outlive a destroyed gate.
    if (this.#closed) {
      handle.destroy();
      return () => {};
    }
    const slot = this.#open.add(handle);
    handle.useReadBuffers?.(this.readBuffers);
    this.#byRealm.set(realm, (this.#byRealm.get(realm) ?? 0) + 1);
    return () => {
      // SlotSet.delete is identity-checked and idempotent: only the first call counts down.
      if (!this.#open.delete(slot, handle)) return;
      const n = (this.#byRealm.get(realm) ?? 1) - 1;
      if (n > 0) this.#byRealm.set(realm, n);
      else this.#byRealm.delete(realm);
      this.#notifyIfIdle();
    };
  }

  #notifyIfIdle(): void {
    if (this.#open.size + this.#connecting.size > 0) return;
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Open tunnels (the gauge). */
  get size(): number {
    return this.#open.size;
  }

  /** Admitted clients still connecting upstream. */
  get connecting(): number {
    return this.#connecting.size;
  }

  byRealm(): ReadonlyMap<string, number> {
    return this.#byRealm;
  }

  /** Resolves when no tunnel is open and none is connecting. */
  idle(): Promise<void> {
    if (this.#open.size + this.#connecting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Cuts every tunnel and connect in flight; later ones are cut on arrival. */
  destroyAll(): void {
    this.#closed = true;
    for (const t of [...this.#connecting.values(), ...this.#open.values()]) t.destroy();
  }
}
