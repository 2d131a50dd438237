/**
 * Session establishment: `concurrency` loops each open a WebSocket (wamp.2.json),
 * send HELLO, wait for WELCOME, and drop the connection, again and again.
 * Counts sessions completed inside the window and times each (connect → WELCOME).
 */
import { cpuMicros } from '../lib/procs.js';
import { nowMicros, quantile } from '../lib/stats.js';
import { newClient, ready } from './ws-connect.js';

export interface SessionRequest {
  url: string;
  concurrency: number;
  warmupMs: number;
  windowMs: number;
  cpuPids: number[];
}

export interface SessionResult {
  sessionsPerSec: number;
  p50Us: number;
  p99Us: number;
  cpuUsPerSession: number;
  failures: number;
}

export async function runSessions(r: SessionRequest): Promise<SessionResult> {
  const latencies: number[] = [];
  let measuring = false;
  let stopping = false;
  let failures = 0;
  const loop = async (): Promise<void> => {
    // Bounded: the window ends the loop; a failing target is counted, paced and retried.
    while (!stopping) {
      const t0 = nowMicros();
      const ws = newClient(r.url, true, 5000);
      ws.on('error', () => undefined);
      try {
        await ready(ws, true, 'realm1');
        if (measuring) latencies.push(nowMicros() - t0);
      } catch {
        failures++;
        await new Promise((res) => setTimeout(res, 10));
      } finally {
        ws.terminate();
      }
    }
  };
  const loops = Array.from({ length: r.concurrency }, loop);
  await new Promise((res) => setTimeout(res, r.warmupMs));
  measuring = true;
  const cpu0 = cpuMicros(r.cpuPids);
  const t0 = nowMicros();
  await new Promise((res) => setTimeout(res, r.windowMs));
  measuring = false;
  const t1 = nowMicros();
  const cpu1 = cpuMicros(r.cpuPids);
  stopping = true;
  await Promise.all(loops);
  const n = latencies.length;
  return {
    sessionsPerSec: (n * 1e6) / (t1 - t0),
    p50Us: quantile(latencies, 0.5),
    p99Us: quantile(latencies, 0.99),
    cpuUsPerSession: r.cpuPids.length > 0 && n > 0 ? (cpu1 - cpu0) / n : NaN,
    failures,
  };
}
