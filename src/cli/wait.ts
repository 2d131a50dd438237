import { adminGet } from './admin-get.js';

export interface WaitOptions {
  admin: string;
  realm?: string | undefined;
  timeoutMs: number;
  intervalMs?: number;
  write?: (line: string) => void;
}

/**
 * `realmgate wait`: polls /health/ready (or /health/ready/REALM) until it answers 200 or the
 * timeout passes. 0 = ready, 3 = not ready in time. For init containers and scripts, like
 * cloud-sql-proxy's `wait`. A gate that is not up yet is simply not ready: it is retried.
 */
export async function waitReady(o: WaitOptions): Promise<0 | 3> {
  const write = o.write ?? ((l: string) => process.stderr.write(`${l}\n`));
  const base = o.admin.replace(/\/+$/, '');
  const url = o.realm === undefined ? `${base}/health/ready` : `${base}/health/ready/${encodeURIComponent(o.realm)}`;
  const deadline = Date.now() + o.timeoutMs;
  const interval = o.intervalMs ?? 500;
  let last = '';
  let said = false;
  for (;;) {
    const left = deadline - Date.now();
    const budget = Math.max(1, Math.min(2000, left));
    const r = await adminGet(url, budget);
    if (r.status === 200) {
      write(`realmgate: ready (${url})`);
      return 0;
    }
    // A last try cut short by our own deadline is no news: the answer before it says more.
    const cutShort = r.status === 0 && budget < 2000 && last !== '';
    if (!cutShort) last = r.status === 0 ? `no answer (${r.body})` : `HTTP ${r.status}`;
    if (r.status === 404 && o.realm !== undefined) last = `realm "${o.realm}" is not known to the gate`;
    if (!said) write(`realmgate: not ready yet (${url}: ${last}), waiting up to ${Math.round(o.timeoutMs / 1000)} s`);
    said = true;
    if (Date.now() + interval > deadline) break;
    await new Promise((res) => setTimeout(res, interval));
  }
  write(`realmgate: not ready after ${Math.round(o.timeoutMs / 1000)} s (${url}: ${last})`);
  return 3;
}
