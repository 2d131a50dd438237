/**
 * Open tunnels, counted per realm label, for drain, /status and the
 * realmgate_tunnels_active gauge.
 */
export interface TunnelHandle {
  destroy(): void;
}

export class Tunnels {
  readonly #open = new Set<TunnelHandle>();
  readonly #byRealm = new Map<string, number>();
  #waiters: (() => void)[] = [];

  /** Registers an open tunnel; call the returned function exactly when it closes. */
  add(realm: string, handle: TunnelHandle): () => void {
    this.#open.add(handle);
    this.#byRealm.set(realm, (this.#byRealm.get(realm) ?? 0) + 1);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.#open.delete(handle);
      const n = (this.#byRealm.get(realm) ?? 1) - 1;
      if (n > 0) this.#byRealm.set(realm, n);
      else this.#byRealm.delete(realm);
      if (this.#open.size === 0) {
        const w = this.#waiters;
        this.#waiters = [];
        for (const f of w) f();
      }
    };
  }

  get size(): number {
    return this.#open.size;
  }

  byRealm(): ReadonlyMap<string, number> {
    return this.#byRealm;
  }

  /** Resolves when no tunnel is open. */
  idle(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  destroyAll(): void {
    for (const t of [...this.#open]) t.destroy();
  }
}
