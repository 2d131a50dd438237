/**
 * Refusals seen by autobahn-js clients with and without hello.readmitOnAbort, when two proxy
 * workers share the port and only one has routes (every second connection refused) while every
 * readiness source says ready. Usage: npx tsx scripts/measure/readmit-refusals.ts [clients]
 */
import autobahn from 'autobahn';
import { parseConfig } from '../../src/config/load.js';
import { createRealmgate } from '../../src/realmgate.js';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';

autobahn.log.warn = () => undefined;
const clients = Number(process.argv[2] ?? 50);

function join(url: string): Promise<'joined' | string> {
  return new Promise((resolve) => {
    const c = new autobahn.Connection({ url, realm: 'realm1', max_retries: 0, retry_if_unreachable: false });
    let opened = false;
    c.onopen = () => {
      opened = true;
      resolve('joined');
      c.close();
    };
    c.onclose = (_reason, details) => {
      if (!opened) resolve(details.reason ?? 'closed');
      return true;
    };
    c.open();
  });
}

for (const readmitOnAbort of [true, false]) {
  const proxy = new SimulatedProxyTransport({ workers: 2 });
  const up = await proxy.listen();
  proxy.startRoute('realm1', 0);
  const gate = await createRealmgate(parseConfig(JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: up.url }, realms: [{ name: 'realm1' }], realmFrom: ['hello'], hello: { readmitOnAbort },
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  }), { env: {} }));
  const { listen } = await gate.start();
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: clients }, () => join(`ws://127.0.0.1:${listen.port}/ws`)));
  const ms = performance.now() - t0;
  const refused = results.filter((r) => r === 'wamp.error.no_such_realm').length;
  console.log(`readmitOnAbort=${readmitOnAbort}: ${clients} clients, joined ${results.filter((r) => r === 'joined').length}, ` +
    `saw no_such_realm ${refused}, upstream refusals ${proxy.stats().refusals}, all settled in ${ms.toFixed(0)} ms`);
  gate.destroy();
  proxy.destroy();
}
process.exit(0);
