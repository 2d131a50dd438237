import { Worker } from 'node:worker_threads';
import { once } from 'node:events';

/**
 * Runs `script` (plain JavaScript, CommonJS) on a worker thread while this thread is blocked in
 * `Atomics.wait`: whatever the script gets answered in that time was answered without this
 * thread's event loop. The script sees `data`, `get(url)` → `{status, body}` (node:http, 5 s
 * deadline), `wake()` (wakes this thread, the script goes on) and `done(result)` (wakes it too). Returns whether the script finished
 * while this thread was blocked (`woken`) and what it passed to done.
 */
export async function whileMainBlocked<T>(script: string, data: unknown, maxBlockMs: number): Promise<{ woken: boolean; result: T }> {
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(`
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const data = workerData.data;
const flag = new Int32Array(workerData.flag);
const get = (url) => new Promise((resolve) => {
  const req = http.get(url, { agent: false, timeout: 5000 }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => (body += c));
    res.on('end', () => resolve({ status: res.statusCode, body }));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => resolve({ status: 0, body: e.message }));
});
const wake = () => {
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
};
let finished = false;
const done = (result) => {
  if (finished) return;
  finished = true;
  parentPort.postMessage(result);
  wake();
};
parentPort.once('message', () => { (async () => { ${script} })().catch((e) => done({ error: String(e) })); });
`, { eval: true, workerData: { data, flag } });
  await once(worker, 'online');
  const result = once(worker, 'message') as Promise<[T]>;
  worker.postMessage('go');
  // Nothing on this thread runs until the worker says done (or the cap passes).
  const woken = Atomics.wait(new Int32Array(flag), 0, 0, maxBlockMs) === 'ok';
  const [r] = await result;
  await worker.terminate();
  return { woken, result: r };
}
