/**
 * The realmgate config the demo runs with, in front of a SimulatedCluster: HELLO mode (clients
 * unchanged: the URL names no realm), the `crossbar` source reading the simulated master with
 * the cluster's key, loopback ports chosen free. Built through `parseConfig`, so it is checked
 * exactly like a user's file.
 */
import { parseConfig } from '../config/load.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { CLUSTER, type SimulatedCluster } from './cluster.js';

export interface GateConfigOptions {
  /** Realms guarded (held until every worker routes them); default ['realm1']. */
  realms?: string[];
  /** Name of the environment variable (in process.env) holding the key seed in hex; the caller sets it. */
  privateKeyEnv: string;
  /** Longest hold, ms; default 30000. */
  queueTimeoutMs?: number;
  /** Master poll interval, ms (route events admit sooner); default 1000. */
  pollIntervalMs?: number;
  /** Log level of the gate's own logger; default 'warn'. */
  logLevel?: Config['log']['level'];
}

/** A validated, frozen realmgate Config for `cluster` (the source reads the key from process.env when it connects). */
export function gateConfigFor(cluster: SimulatedCluster, opts: GateConfigOptions): Config {
  const input: ConfigInput = {
    // A demo serves a handful of clients: a cap any machine's open-file limit holds (the default
    // 20,000 needs 41,024 descriptors, and the gate warns below that).
    listen: { host: '127.0.0.1', port: 0, maxConnections: 1000 },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: cluster.proxyUrl },
    defaults: { onNotReady: 'queue', queueTimeoutMs: opts.queueTimeoutMs ?? 30_000 },
    realms: (opts.realms ?? ['realm1']).map((name) => ({ name })),
    realmFrom: ['hello'],
    readiness: {
      // The demo tells the startup race: every client held until both workers route. With the
      // default `readmit`, clients would already be admitted (and re-admitted) at the first route.
      partial: 'hold',
      sources: [{
        type: 'crossbar',
        url: cluster.masterUrl,
        realm: cluster.master.mrealm,
        authid: CLUSTER.authid,
        privateKeyEnv: opts.privateKeyEnv,
        node: CLUSTER.node,
        webcluster: CLUSTER.webcluster,
        pollIntervalMs: opts.pollIntervalMs ?? 1000,
        subscribe: true,
      }],
    },
    // Nobody load-balances onto a demo: no delay, and tunnels are closed by their clients first.
    shutdown: { delayMs: 0, drainTimeoutMs: 2000 },
    log: { level: opts.logLevel ?? 'warn' },
  };
  return parseConfig(JSON.stringify(input), { env: {}, source: '(demo)' });
}
