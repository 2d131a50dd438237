import type { DrainState } from './server.js';

/** What the admin worker is started with (workerData). */
export interface AdminWorkerData {
  host: string;
  port: number;
  heartbeat: SharedArrayBuffer;
  /** /health/live answers 503 once the main loop has not beaten for this long. */
  stallMs: number;
  drain: DrainState;
  /** Largest request body read (the admin API takes none bigger). */
  bodyLimit: number;
  /** Requests waiting for the main thread at once; more are answered 503 at once. */
  maxForwarded: number;
  /** A forwarded request the main thread has not answered within this is answered 503. */
  forwardTimeoutMs: number;
}

/** A request the worker hands to the main thread (everything but /health/live). */
export interface ForwardedRequest {
  type: 'request';
  id: number;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  remoteAddress: string;
  body: Uint8Array | null;
}

export interface ForwardedResponse {
  type: 'response';
  id: number;
  status: number;
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

export type ToWorker = ForwardedResponse | { type: 'drain'; state: DrainState } | { type: 'close' };

export type FromWorker =
  | { type: 'listening'; address: string; family: string; port: number }
  | { type: 'listen-error'; code: string; message: string }
  | ForwardedRequest
  | { type: 'closed' };
