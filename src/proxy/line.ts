/** What a Line holds: each member carries its index, so leaving the line is O(1). */
export interface InLine {
  /** Index in its line's array, -1 while in none: written by Line only. */
  linePos: number;
}

/** Past this many left places, a line that is mostly left places is rebuilt. */
const COMPACT_AT = 1024;

/**
 * A first-in, first-out line that members may also leave from anywhere (a client that hangs up,
 * times out or is drained while it waits): held clients per realm, connects waiting for a slot.
 *
 * One array, a head, and a null where a member left, so joining, leaving and taking the oldest
 * are O(1) and allocate nothing per member. Not a Set (which is also ordered and O(1)): every
 * client joining and leaving a long-lived Set keeps the scavenger promoting dead clients
 * (slot-set.ts says why).
 *
 * Bounds: the array holds the members plus the places left; once more than COMPACT_AT places are
 * left and they are most of the array, it is rebuilt with the members only (re-indexed), so it
 * never exceeds about twice the members or members + COMPACT_AT, at amortised O(1) per place.
 */
export class Line<T extends InLine> {
  #items: (T | null)[] = [];
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Members plus places left in the array (what it costs in memory; for bound checks). */
  get places(): number {
    return this.#items.length - this.#head;
  }

  /** Joins `member` at the end. It must not be in a line already. */
  push(member: T): void {
    member.linePos = this.#items.length;
    this.#items.push(member);
    this.#size++;
  }

  /** Takes `member` out wherever it stands; false (nothing changes) if it is not in this line. */
  remove(member: T): boolean {
    const i = member.linePos;
    if (i < this.#head || i >= this.#items.length || this.#items[i] !== member) return false;
    this.#items[i] = null;
    member.linePos = -1;
    this.#size--;
    this.#compact();
    return true;
  }

  /** Takes out and returns the oldest member; undefined when the line is empty. */
  shift(): T | undefined {
    const items = this.#items;
    while (this.#head < items.length) {
      const m = items[this.#head];
      items[this.#head++] = null;
      if (m === null || m === undefined) continue;
      m.linePos = -1;
      this.#size--;
      this.#compact();
      return m;
    }
    this.#compact();
    return undefined;
  }

  /** The members in order, as a copy (settling one takes it out of the line). */
  values(): T[] {
    const out: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const m = this.#items[i];
      if (m !== null && m !== undefined) out.push(m);
    }
    return out;
  }

  #compact(): void {
    if (this.#size === 0) {
      // Truncated in place: a line that keeps emptying (one waiter at a time) allocates nothing.
      this.#items.length = 0;
      this.#head = 0;
      return;
    }
    const left = this.#items.length - this.#size;
    if (left <= COMPACT_AT || left * 2 <= this.#items.length) return;
    const members = this.values();
    members.forEach((m, i) => (m.linePos = i));
    this.#items = members;
    this.#head = 0;
  }
}
