/**
 * The slice of autobahn-js 22.11.1 (CommonJS, untyped) the management client uses.
 * Kept local so this code does not depend on a global ambient declaration.
 */

export interface AutobahnSession {
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
  subscribe(
    topic: string,
    handler: (args: unknown[], kwargs: Record<string, unknown>, details: { topic?: string }) => void,
    options?: Record<string, unknown>,
  ): Promise<unknown>;
}

export interface AutobahnTransport {
  send(msg: unknown[]): unknown;
}

export interface AutobahnConnection {
  onopen: ((session: AutobahnSession, details: unknown) => void) | null;
  onclose: ((reason: string, details: { reason?: string | null; message?: string | null }) => boolean | void) | null;
  open(): void;
  close(reason?: string, message?: string): void;
  /** Internal: the current transport, set synchronously by open(). */
  _transport?: AutobahnTransport | null;
}

export interface AutobahnModule {
  Connection: new (options: Record<string, unknown>) => AutobahnConnection;
  Result: new (...args: unknown[]) => unknown;
  Error: new (...args: unknown[]) => unknown;
  version: string;
  /** autobahn's logging hooks (console-bound by default). */
  log: { warn: (...args: unknown[]) => void; debug: (...args: unknown[]) => void };
}
