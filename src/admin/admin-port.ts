import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import { ErrorCodes, RealmgateError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { LoopHeartbeat } from './heartbeat.js';
import type { DrainState } from './server.js';
import type { AdminWorkerData, ForwardedRequest, FromWorker, ToWorker } from './worker-protocol.js';

export interface AdminPortOptions {
  /** The admin routes (server.ts); every request but /health/live runs through it via inject. */
  app: FastifyInstance;
  host: string;
  port: number;
  /** admin.livenessStallMs */
  stallMs: number;
  drainState: DrainState;
  logger: Logger;
}

/** What a worker that does not exit after 'close' is given before it is terminated. */
const CLOSE_GRACE_MS = 2_000;

/**
 * The admin port, listened on by a worker thread (live-worker.ts) so that /health/live answers
 * while the main loop is busy — under an attack on the client port, the probe's answer would
 * otherwise wait behind hundreds of milliseconds of data-plane work — and fails when it is stuck.
 * The worker costs one V8 isolate (a few MiB, capped by resourceLimits).
 */
export class AdminPort {
  readonly #opts: AdminPortOptions;
  readonly #heartbeat = new LoopHeartbeat();
  #worker: Worker | undefined;
  #closing: Promise<void> | undefined;
  #stopping = false;

  constructor(opts: AdminPortOptions) {
    this.#opts = opts;
  }

  async listen(): Promise<AddressInfo> {
    const { host, port, stallMs, drainState } = this.#opts;
    this.#heartbeat.start();
    const data: AdminWorkerData = {
      host, port, heartbeat: this.#heartbeat.buffer, stallMs, drain: drainState,
      bodyLimit: 1024, maxForwarded: 32, forwardTimeoutMs: 10_000,
    };
    const worker = await startWorker(data);
    this.#worker = worker;
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'request') void this.#relay(worker, m);
    });
    worker.on('exit', (code) => {
      if (!this.#stopping) this.#opts.logger.error({ code }, 'admin port worker stopped: health, metrics and status no longer answer (the liveness probe will fail)');
    });
    worker.on('error', (err) => this.#opts.logger.error({ err: describeError(err) }, 'admin port worker failed'));
    return new Promise<AddressInfo>((resolve, reject) => {
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'listening') {
          cleanup();
          resolve({ address: m.address, family: m.family, port: m.port });
        } else if (m.type === 'listen-error') {
          cleanup();
          this.destroy();
          reject(new RealmgateError(ErrorCodes.LISTEN, `cannot listen on admin ${host}:${port}: ${m.code}`));
        }
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new RealmgateError(ErrorCodes.LISTEN, `cannot listen on admin ${host}:${port}: the admin worker exited (${code})`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
    });
  }

  /** The worker answers /health/live itself: it learns drain changes at once. */
  setDrainState(state: DrainState): void {
    this.#post({ type: 'drain', state });
  }

  async #relay(worker: Worker, m: ForwardedRequest): Promise<void> {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(m.headers)) if (v !== undefined) headers[k] = v;
    let status = 500;
    let resHeaders: Record<string, string | string[]> = { 'content-type': 'application/json; charset=utf-8' };
    let body: Uint8Array = Buffer.from('{"error":"internal"}');
    try {
      const res = await this.#opts.app.inject({
        method: m.method as 'GET', url: m.url, headers, remoteAddress: m.remoteAddress,
        ...(m.body ? { payload: Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength) } : {}),
      });
      status = res.statusCode;
      resHeaders = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) resHeaders[k] = Array.isArray(v) ? v : String(v);
      body = res.rawPayload;
    } catch (err) {
      this.#opts.logger.error({ err: describeError(err), url: m.url.split('?')[0] }, 'admin request failed');
    }
    if (this.#worker === worker) this.#post({ type: 'response', id: m.id, status, headers: resHeaders, body });
  }

  #post(m: ToWorker): void {
    this.#worker?.postMessage(m);
  }

  /** Stops listening; resolves when the worker has exited. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#stopping = true;
    this.#heartbeat.close();
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(timer);
    this.#worker = undefined;
  }

  /** Stops now. Idempotent. */
  destroy(): void {
    this.#stopping = true;
    this.#heartbeat.destroy();
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) void worker.terminate();
  }
}

/**
 * Built (dist/*.js): the worker is the compiled live-worker.js. From source (tests, the bench and
 * demo under tsx), a worker does not inherit tsx's loader on Node 20, and loading tsx into it costs
 * ~350 ms and ~15 MiB per gate; instead the worker's few files are bundled to one CommonJS script
 * with esbuild (tsx's own compiler, so present wherever the sources run) and evaluated.
 */
async function startWorker(data: AdminWorkerData): Promise<Worker> {
  // The isolate only holds the listener and requests in flight; the caps keep its RSS small.
  const options = { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 } };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./live-worker.js', import.meta.url), options);
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const built = esbuild.buildSync({
    entryPoints: [new URL('./live-worker.ts', import.meta.url).pathname],
    bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent',
  });
  return new Worker(built.outputFiles[0]!.text, { ...options, eval: true });
}
