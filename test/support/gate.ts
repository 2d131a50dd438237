import type { TestContext } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createRealmgate, type Realmgate, type RealmgateDeps } from '../../src/realmgate.js';

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** Captures pino lines in memory, so tests can assert on what the gate logs. */
export function captureLogger(level = 'debug') {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) {
        if (!l) continue;
        raw.push(l);
        lines.push(JSON.parse(l) as LogLine);
      }
      cb();
    },
  });
  const logger = pino({ level, redact: { paths: ['privateKey', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' } }, stream);
  return { logger, lines, raw };
}

export interface StartedGate {
  gate: Realmgate;
  /** ws://127.0.0.1:P */
  wsUrl: string;
  /** http://127.0.0.1:P */
  httpUrl: string;
  port: number;
  adminUrl: string;
  /** The RawSocket-only port, when the config has listen.rawsocket. */
  rawsocketPort?: number;
  logs: LogLine[];
}

/**
 * Starts a gate on port 0 (client and admin) with `config` over test defaults
 * (no shutdown delay); destroyed after the test.
 */
export async function startGate(t: TestContext, config: Partial<ConfigInput> & Pick<ConfigInput, 'upstream'>, deps: RealmgateDeps = {}): Promise<StartedGate> {
  const full: ConfigInput = {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    shutdown: { delayMs: 0, drainTimeoutMs: 2000 },
    // 'any' lets a test drive readiness through its own registry sink.
    readiness: { combine: 'any', sources: [{ type: 'static', ready: [] }] },
    ...config,
  };
  const parsed = parseConfig(JSON.stringify(full), { env: {} });
  const capture = captureLogger();
  const gate = await createRealmgate(parsed, { logger: capture.logger, ...deps });
  t.after(() => gate.destroy());
  const { listen, admin, rawsocket } = await gate.start();
  return {
    gate,
    wsUrl: `ws://127.0.0.1:${listen.port}`,
    httpUrl: `http://127.0.0.1:${listen.port}`,
    port: listen.port,
    adminUrl: `http://127.0.0.1:${admin.port}`,
    ...(rawsocket ? { rawsocketPort: rawsocket.port } : {}),
    logs: capture.lines,
  };
}
