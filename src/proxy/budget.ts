/**
 * One memory budget for everything the gate holds before admission: pre-HELLO sessions, held
 * HELLOs, held upgrades, early bytes. Each connection is charged a fixed overhead (socket, parser,
 * request object, session state) plus the bytes it made the gate keep, counted in what they
 * really cost (see PeekedClient's per-frame charge), not only wire bytes.
 *
 * Any front-end (the WebSocket upgrade, the HELLO peek, later RawSocket) opens one charge per
 * connection and releases it exactly once when the connection is admitted or ends; release()
 * is idempotent so every end path may call it.
 */
/**
 * What one byte buffered before admission really costs in resident memory: the chunk as read
 * (a slice that keeps its read buffer alive) plus the copy kept for the upstream. Measured with
 * `npm run reliability` (hostile clients): 1,005 held HELLO clients with 60 KiB each took 243 MiB
 * of RSS while 128 MiB were charged at face value (1.9×). Bytes are charged at this weight so the
 * budget bounds RSS, not wire bytes; the fixed per-connection overhead is charged as it is.
 */
export const BUFFERED_BYTE_WEIGHT = 2;

export interface BudgetCharge {
  /** Adds `bytes` to this connection's charge; false (nothing added) when the budget is spent. */
  add(bytes: number): boolean;
  /** Returns the whole charge to the budget. Idempotent. */
  release(): void;
  /** Bytes charged to this connection (overhead included); 0 after release(). */
  readonly bytes: number;
}

export interface BudgetOptions {
  /** Ceiling for all pre-admission charges together, in bytes. */
  limitBytes: number;
  /** Fixed cost charged per connection when it is opened, in bytes. */
  connectionOverheadBytes: number;
}

export class PreAdmissionBudget {
  readonly limitBytes: number;
  readonly connectionOverheadBytes: number;
  #bytes = 0;
  #connections = 0;
  #refused = 0;

  constructor(opts: BudgetOptions) {
    this.limitBytes = opts.limitBytes;
    this.connectionOverheadBytes = opts.connectionOverheadBytes;
  }

  /** Bytes charged now (the realmgate_preadmission_bytes gauge). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Connections holding a charge now. */
  get connections(): number {
    return this.#connections;
  }

  /** Connections and byte additions refused since start. */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Opens a connection's charge (overhead + `initialBytes`), or undefined when that would pass
   * the ceiling: the caller refuses the client with retry guidance (`overload`).
   */
  open(initialBytes = 0): BudgetCharge | undefined {
    const first = this.connectionOverheadBytes + initialBytes;
    if (this.#bytes + first > this.limitBytes) {
      this.#refused++;
      return undefined;
    }
    this.#bytes += first;
    this.#connections++;
    return new Charge(this, first);
  }

  /** For Charge only: `bytes` more if they fit (false, counted as refused, if not). */
  take(bytes: number): boolean {
    if (this.#bytes + bytes > this.limitBytes) {
      this.#refused++;
      return false;
    }
    this.#bytes += bytes;
    return true;
  }

  /** For Charge only: a connection's whole charge back. */
  give(bytes: number): void {
    this.#bytes -= bytes;
    this.#connections--;
  }
}

/**
 * One connection's charge. A class, not closures: one is opened per connection, on the
 * session set-up path (three closures and a getter object per connection cost measurably more).
 */
class Charge implements BudgetCharge {
  readonly #budget: PreAdmissionBudget;
  #mine: number;
  #open = true;

  constructor(budget: PreAdmissionBudget, first: number) {
    this.#budget = budget;
    this.#mine = first;
  }

  add(bytes: number): boolean {
    if (!this.#open || !this.#budget.take(bytes)) return false;
    this.#mine += bytes;
    return true;
  }

  release(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#budget.give(this.#mine);
    this.#mine = 0;
  }

  get bytes(): number {
    return this.#mine;
  }
}

/** Bytes of a request head as received (method, target, headers): what a held upgrade keeps. */
export function requestHeadBytes(req: { rawHeaders: string[]; url?: string | undefined }): number {
  let n = (req.url?.length ?? 1) + 16;
  for (const h of req.rawHeaders) n += h.length + 2;
  return n;
}
