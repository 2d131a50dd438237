/** Reading a realmgate's admin port from the bench (bounded waits). */

export interface GateStatus {
  queues: { total: number };
  tunnels: { total: number };
  sources: { name: string; up: boolean; lastSuccess: string | null }[];
}

export async function gateStatus(adminUrl: string): Promise<GateStatus> {
  const res = await fetch(`${adminUrl}/status`, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as GateStatus;
}

/** Polls /status every `everyMs` until `pred` holds; throws after `timeoutMs` with the last status. */
export async function waitForStatus(adminUrl: string, pred: (s: GateStatus) => boolean, timeoutMs: number, everyMs = 50): Promise<GateStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: GateStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await gateStatus(adminUrl);
      if (pred(last)) return last;
    } catch { /* admin not up yet */ }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`gate status condition not met within ${timeoutMs} ms; last: ${JSON.stringify(last?.queues)} ${JSON.stringify(last?.tunnels)}`);
}

/** Whether the gate calls `realm` ready (GET /health/ready/<realm> → 200). */
export async function realmReady(adminUrl: string, realm: string): Promise<boolean> {
  const res = await fetch(`${adminUrl}/health/ready/${encodeURIComponent(realm)}`, { signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return res.status === 200;
}
