/**
 * Bytes appended into one buffer that grows by doubling: many small pieces (one-byte WebSocket
 * fragments, frames received while a client is held) cost one allocation, not one object each.
 */
export class GrowingBuffer {
  #buf: Buffer = EMPTY;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Bytes allocated (what this really costs). */
  get capacity(): number {
    return this.#buf.length;
  }

  append(bytes: Buffer): void {
    const need = this.#length + bytes.length;
    if (need > this.#buf.length) {
      const next = Buffer.allocUnsafe(Math.max(256, need * 2));
      this.#buf.copy(next, 0, 0, this.#length);
      this.#buf = next;
    }
    bytes.copy(this.#buf, this.#length);
    this.#length = need;
  }

  /** A view of the bytes so far (valid until the next append or clear). */
  view(): Buffer {
    return this.#buf.subarray(0, this.#length);
  }

  /** A copy of the bytes so far, sized exactly. */
  copy(): Buffer {
    return Buffer.from(this.view());
  }

  clear(): void {
    this.#buf = EMPTY;
    this.#length = 0;
  }
}

const EMPTY = Buffer.alloc(0);
