/**
 * The incident, replayed for tests: a simulated Crossbar node (2 proxy workers + master API, the
 * demo's own SimulatedCluster) whose realm1 routes are missing, so the proxy transport ABORTs
 * `wamp.error.no_such_realm` and leaves the socket open, exactly as Crossbar does; realmgate in
 * front in HELLO mode (clients unchanged) with the `crossbar` source reading the master. The test
 * starts its clients in the gap, then calls `routesAppear()`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { SimulatedCluster } from '../../src/demo/cluster.js';
import { gateConfigFor } from '../../src/demo/gate-config.js';
import { createRealmgate, type Realmgate } from '../../src/realmgate.js';
import { captureLogger, type LogLine } from './gate.js';

export const REALM = 'realm1';
export const PROCEDURE = 'com.example.add2';
export const NO_SUCH_REALM = 'wamp.error.no_such_realm';

export interface Incident {
  cluster: SimulatedCluster;
  gate: Realmgate;
  /** Clients through realmgate: `ws://127.0.0.1:P/ws` (no realm in the URL). */
  gateUrl: string;
  /** Clients straight to the proxy transport. */
  directUrl: string;
  logs: LogLine[];
  /**
   * The arealm monitor's work: realm1 routed on worker 0, then `staggerMs` later on worker 1 —
   * never earlier than `minGapMs` (default 1500) after the incident started.
   */
  routesAppear(opts?: { staggerMs?: number; minGapMs?: number }): Promise<void>;
}

/** Starts the cluster and the gate (waits for the gate's first answer from the master). */
export async function startIncident(t: TestContext): Promise<Incident> {
  const startedAt = Date.now();
  const cluster = new SimulatedCluster({ workers: 2, realms: [REALM] });
  t.after(() => cluster.destroy());
  await cluster.listen();
  cluster.proxy.router.register(REALM, PROCEDURE, (args) => ({ args: [Number(args[0]) + Number(args[1])] }));
  const keyEnv = `RG_INCIDENT_KEY_${randomBytes(4).toString('hex').toUpperCase()}`;
  process.env[keyEnv] = cluster.key.seedHex;
  t.after(() => delete process.env[keyEnv]);
  const capture = captureLogger('info');
  const gate = await createRealmgate(gateConfigFor(cluster, { privateKeyEnv: keyEnv, realms: [REALM], pollIntervalMs: 500 }), { logger: capture.logger });
  t.after(() => gate.destroy());
  const { listen } = await gate.start();
  const deadline = Date.now() + 10_000;
  while (!gate.registry.sources().some((s) => s.up)) {
    if (Date.now() > deadline) throw new Error('the crossbar source never reached the simulated master');
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    cluster,
    gate,
    gateUrl: `ws://127.0.0.1:${listen.port}/ws`,
    directUrl: cluster.proxyWsUrl,
    logs: capture.lines,
    async routesAppear({ staggerMs = 300, minGapMs = 1500 } = {}) {
      const wait = startedAt + minGapMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      cluster.startRoute(REALM, 0);
      await new Promise((r) => setTimeout(r, staggerMs));
      cluster.startRoute(REALM, 1);
    },
  };
}

/** Debian's interpreter: python3-autobahn installs there, not into a pyenv python3 on PATH. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'python', 'retry_client.py');

/** One JSON line the python clients printed. */
export interface PyEvent { client?: number; event: string; reason?: string | null; result?: unknown; worker?: string | null; attempt?: number }

export interface PythonClients {
  events: PyEvent[];
  /** Resolves with the exit code once the script has finished. */
  exited: Promise<number | null>;
  stderr(): string;
  /** Events of one kind, per client index. */
  of(event: string): PyEvent[];
}

/**
 * Throws (never skips) when Debian's python3-autobahn is missing, with the fix in the message.
 */
export async function assertPythonAutobahn(): Promise<void> {
  if (!existsSync(DEBIAN_PYTHON)) throw new Error(`${DEBIAN_PYTHON} not found: install Debian's python3 and python3-autobahn (apt-get install -y python3-autobahn; .ci/run does this)`);
  const child = spawn(DEBIAN_PYTHON, ['-c', 'import autobahn.wamp.types, txaio.aio; print(autobahn.__version__)'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`python3-autobahn is not importable by ${DEBIAN_PYTHON} (apt-get install -y python3-autobahn; .ci/run does this):\n${out}`);
}

/** Runs `clients` autobahn-python clients with the classic retry loop against `url`. */
export function runPythonClients(t: TestContext, url: string, clients: number, extra: string[] = []): PythonClients {
  const child = spawn(DEBIAN_PYTHON, [SCRIPT, '--url', url, '--realm', REALM, '--clients', String(clients), '--procedure', PROCEDURE, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  const events: PyEvent[] = [];
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (text) => {
    try {
      events.push(JSON.parse(text) as PyEvent);
    } catch {
      stderr += `(unparsed stdout) ${text}\n`;
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { events, exited, stderr: () => stderr, of: (event) => events.filter((e) => e.event === event) };
}
