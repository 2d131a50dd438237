/**
 * `/health/live` sampled throughout an attack, from a worker thread: the attack's clients run on
 * the suite's main event loop, and a busy main loop must not show up as gate latency. One request
 * at a time, no connection reuse (each sample is what a kubelet probe would see), 1 s deadline.
 */
import { Worker } from 'node:worker_threads';

/** What the sampler saw between start and stop. */
export interface LiveFigures {
  samples: number;
  /** Slowest answered sample, ms. */
  maxMs: number;
  /** Samples without a 200 within 1 s (refused, reset, timed out, other status). */
  failures: number;
  /** Answered samples slower than 100 ms. */
  slow: number;
}

// Plain JavaScript (the worker has no tsx loader): loop until told to stop, then post the figures.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
let stop = false, samples = 0, maxMs = 0, failures = 0, slow = 0;
parentPort.on('message', () => { stop = true; });
const once = () => new Promise((resolve) => {
  const t0 = performance.now();
  let done = false;
  const finish = (ok) => {
    if (done) return;
    done = true;
    samples++;
    const ms = performance.now() - t0;
    if (ok) { maxMs = Math.max(maxMs, ms); if (ms >= 100) slow++; } else failures++;
    resolve();
  };
  const req = http.get({ host: '127.0.0.1', port: workerData.port, path: '/health/live', agent: false, timeout: 1000 }, (res) => {
    res.resume();
    res.on('end', () => finish(res.statusCode === 200));
    res.on('error', () => finish(false));
  });
  req.on('timeout', () => { req.destroy(); finish(false); });
  req.on('error', () => finish(false));
});
(async () => {
  while (!stop) {
    await once();
    await new Promise((r) => setTimeout(r, workerData.intervalMs));
  }
  parentPort.postMessage({ samples, maxMs: Math.round(maxMs), failures, slow });
})();
`;

/** Starts sampling `port` every `intervalMs` (default 25); `stop()` resolves with the figures. Idempotent. */
export function startLiveSampler(port: number, intervalMs = 25): { stop(): Promise<LiveFigures> } {
  const worker = new Worker(WORKER, { eval: true, workerData: { port, intervalMs } });
  const result = new Promise<LiveFigures>((resolve) => {
    worker.once('message', (m: LiveFigures) => resolve(m));
    worker.once('error', () => resolve({ samples: 0, maxMs: -1, failures: -1, slow: -1 }));
  });
  let stopped: Promise<LiveFigures> | undefined;
  return {
    stop: () => {
      stopped ??= (async () => {
        worker.postMessage('stop');
        const r = await Promise.race([result, new Promise<LiveFigures>((r) => setTimeout(() => r({ samples: 0, maxMs: -1, failures: -1, slow: -1 }), 5000))]);
        await worker.terminate();
        return r;
      })();
      return stopped;
    },
  };
}
