/**
 * The bench's load generator, run as its own process (forked with IPC) so its
 * CPU is not charged to the proxy under test. Answers one request at a time:
 *   { id, kind: 'tunnel' | 'sessions' | 'hold' | 'release' | 'close-held', ... } → { id, result } or { id, error }
 */
import { runSessions, type SessionRequest } from './load/session-load.js';
import { HeldClients, type HoldRequest } from './load/hold-load.js';
import { runTunnel, type TunnelRequest } from './load/tunnel-load.js';

export type LoadRequest =
  | ({ kind: 'tunnel' } & TunnelRequest)
  | ({ kind: 'sessions' } & SessionRequest)
  | ({ kind: 'hold' } & HoldRequest)
  | { kind: 'release'; timeoutMs: number; idleMs: number }
  | { kind: 'close-held' };

const held = new HeldClients();

async function handle(req: LoadRequest): Promise<unknown> {
  switch (req.kind) {
    case 'tunnel': return runTunnel(req);
    case 'sessions': return runSessions(req);
    case 'hold': return held.open(req);
    case 'release': return held.release(req.timeoutMs, req.idleMs);
    case 'close-held': held.close(); return {};
  }
}

process.on('message', (msg: { id: number } & LoadRequest) => {
  handle(msg).then(
    (result) => process.send?.({ id: msg.id, result }),
    (err: unknown) => process.send?.({ id: msg.id, error: String((err as Error)?.stack ?? err) }),
  );
});
process.on('disconnect', () => process.exit(0));
console.log('load-client ready');
