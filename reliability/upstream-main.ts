/**
 * A simulated Crossbar proxy transport in its own process (the load check needs the gate's and the
 * clients' file descriptors for themselves). Prints one JSON line `{"port":N}` when listening and
 * exits when its stdin closes or on SIGTERM. Argument: comma-separated realms with a route.
 */
import { SimulatedProxyTransport } from '../src/simulator/proxy-transport.js';

const proxy = new SimulatedProxyTransport();
for (const realm of (process.argv[2] ?? 'realm1').split(',').filter(Boolean)) proxy.startRoute(realm);
const { port } = await proxy.listen({ port: 0 });
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = (): void => {
  proxy.destroy();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
