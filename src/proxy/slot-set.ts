/** Past this many slots, a set that empties gives its arrays back (the high-water mark of a burst). */
const KEEP_SLOTS = 1024;

/**
 * The members of a long-lived registry that every connection joins and leaves (open tunnels,
 * clients before admission, sockets before their first byte), kept in array slots: add() gives
 * the member a slot number, delete() takes the slot and the member back. A freed slot is reused
 * by the next add(), so the arrays grow only to the most members present at once. Each slot can
 * carry a number beside its member (e.g. when it arrived) without a second registry.
 *
 * Why not a Set or Map: with every connection adding and deleting itself, a JS Set/Map keeps
 * replacing its hash table (V8 rebuilds it once deletions have filled it), and a replaced table
 * stays linked to its successor and keeps the entries it had. Once one such table is in the old
 * generation (a mark-compact promotes the table in use) the scavenger keeps every later table and
 * the connections in them alive and promotes them in turn. Measured on the gate
 * (`test/perf/session-gc-survival.test.ts`, `--trace-gc-nvp`): 40-50 % of the young generation
 * survived every scavenge after any mark-compact, and stayed there; with the three per-connection
 * Sets/Maps replaced by this, 8 %, mark-compacts or not.
 *
 * Bounds: two arrays as long as the most members present at once (shrunk back when the set
 * empties past KEEP_SLOTS); a freed slot holds null, so it keeps nothing alive.
 */
export class SlotSet<T extends object> {
  #members: (T | null)[] = [];
  #stamps: number[] = [];
  #free: number[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Adds `member` (with `stamp`, 0 if not given) and returns its slot: delete() needs it. */
  add(member: T, stamp = 0): number {
    const slot = this.#free.length > 0 ? this.#free.pop()! : this.#members.length;
    this.#members[slot] = member;
    this.#stamps[slot] = stamp;
    this.#size++;
    return slot;
  }

  /**
   * Removes `member` from `slot`. False, and nothing changes, when the slot does not hold it
   * (already deleted, or -1 for never added), so a member may leave on every end path.
   */
  delete(slot: number, member: T): boolean {
    if (slot < 0 || this.#members[slot] !== member) return false;
    this.#members[slot] = null;
    this.#size--;
    if (this.#size === 0 && this.#members.length > KEEP_SLOTS) {
      this.#members = [];
      this.#stamps = [];
      this.#free = [];
    } else {
      this.#free.push(slot);
    }
    return true;
  }

  /** True while `slot` holds `member`. */
  has(slot: number, member: T): boolean {
    return slot >= 0 && this.#members[slot] === member;
  }

  /** The members present now, as a copy: callers destroy them, and a destroyed member deletes itself. */
  values(): T[] {
    const out: T[] = [];
    for (const m of this.#members) if (m !== null) out.push(m);
    return out;
  }

  /** Calls `fn` for each member present with its stamp and slot (a member `fn` deletes is not revisited). */
  forEach(fn: (member: T, stamp: number, slot: number) => void): void {
    const members = this.#members;
    for (let slot = 0; slot < members.length; slot++) {
      const m = members[slot]!;
      if (m !== null) fn(m, this.#stamps[slot]!, slot);
      // fn may have emptied the set past KEEP_SLOTS: the arrays are then new and empty.
      if (members !== this.#members) return;
    }
  }

  /** Forgets every member (their slots then match nothing). */
  clear(): void {
    this.#members = [];
    this.#stamps = [];
    this.#free = [];
    this.#size = 0;
  }
}
