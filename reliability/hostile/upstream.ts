/**
 * The simulated Crossbar proxy transport in the suite process, for the hostile checks whose
 * clients never reach the upstream in numbers (they are held, refused or cut before admission):
 * no child process to start, so each check costs one process start (the gate's) instead of two.
 */
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';

/** Listens on 127.0.0.1:0 with routes for `realms`; `stop()` is idempotent. */
export async function startLocalUpstream(realms: readonly string[] = ['realm1']): Promise<{ url: string; stop(): void }> {
  const proxy = new SimulatedProxyTransport();
  for (const r of realms) proxy.startRoute(r);
  const { port } = await proxy.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${port}`, stop: () => proxy.destroy() };
}
