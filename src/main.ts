#!/usr/bin/env node
/**
 * The CLI — the only file that touches `process`: arguments, config, signals,
 * exit codes (0 clean shutdown, 1 bad config, 2 fatal runtime error, 64 usage error).
 */
// First: V8 settings that must hold before any other module allocates (see v8-tuning.ts).
import './v8-tuning.js';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, loadConfigChecked, redactConfig } from './config/load.js';
import { describeError, ErrorCodes, isRealmgateError } from './errors.js';
import { createLogger } from './logger.js';
import { createRealmgate } from './realmgate.js';
import { createReloadTrigger } from './lifecycle/reload.js';
import { reloadFromFile } from './lifecycle/reload-file.js';

const HELP = `realmgate — readiness-gating reverse proxy for Crossbar.io

Usage:
  realmgate [--config FILE]                 run the gate (FILE defaults to $REALMGATE_CONFIG)
  realmgate check-config --config FILE [--schema-only]
                                            validate; print the effective config (secrets redacted).
                                            Also reads the key files and variables the config names;
                                            --schema-only skips that (a config for another machine)
  realmgate drain|undrain [--config FILE] [--admin URL]
                                            POST /drain or /undrain to this pod's admin port (loopback, admin token if set)
  realmgate keygen [--out PATH] [--force]   write an Ed25519 key pair for the Crossbar master API:
                                            PATH.priv and PATH.pub (default ./realmgate), Crossbar's
                                            key-file format; prints what to do with it on the master
  realmgate demo [--clients N] [--duration-ms MS] [--serializer json|msgpack|cbor] [--keep]
                 [--transport websocket|rawsocket]
                                            the embedded demo (what \`npm start\` runs); --keep leaves
                                            the simulated cluster and the gate running until Ctrl-C
  realmgate wait [--admin URL] [--realm R] [--timeout S]
                                            exit 0 once the gate (or realm R) is ready, 3 after S s (default 60)
  realmgate health [--admin URL] [--ready]  one liveness (or readiness) check, for Docker's HEALTHCHECK
  realmgate --help | --version

Signals: SIGTERM/SIGINT drain and exit; SIGHUP re-reads the config in place.
--admin (wait, health) defaults to $REALMGATE_ADMIN_URL, else the admin port of the config, else http://127.0.0.1:9090;
(drain, undrain) to the loopback address of the config's admin port.
Environment: REALMGATE_CONFIG, REALMGATE_LOG_LEVEL, REALMGATE_ADMIN_URL, and \${VAR} substitution in the config file.
Exit codes: 0 clean shutdown, 1 bad config, 2 fatal runtime error, 3 wait/health not ready, 64 usage error (bad command or flag).
Reference: docs/ (configuration.md, cli.md, admin-api.md, metrics.md) in the source repository.`;

/** EX_USAGE of sysexits.h: the command line itself is wrong, not the config or the runtime. */
const EXIT_USAGE = 64;

const LOG_LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function fail(code: 1 | 2 | typeof EXIT_USAGE, message: string): never {
  process.stderr.write(`realmgate: ${message}\n`);
  process.exit(code);
}

function configFile(values: { config?: string | undefined }): string {
  const file = values.config ?? process.env.REALMGATE_CONFIG;
  if (!file) fail(EXIT_USAGE, 'no config file: pass --config FILE or set REALMGATE_CONFIG (see realmgate --help)');
  return file;
}

function load(file: string, checked = false) {
  try {
    return checked ? loadConfigChecked(file) : loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError || isRealmgateError(err)) fail(1, err.message);
    throw err;
  }
}

async function run(file: string): Promise<void> {
  const config = load(file);
  const level = process.env.REALMGATE_LOG_LEVEL || config.log.level;
  if (!LOG_LEVELS.includes(level)) fail(1, `REALMGATE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
  const log = createLogger({ level });
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    log.flush();
    fail(2, `fatal: ${describeError(err)}`);
  });
  process.on('unhandledRejection', (reason) => {
    // A bug, but one client's failure must not take every tunnel down with it.
    log.error({ err: describeError(reason) }, 'unhandled rejection');
  });
  let gate: Awaited<ReturnType<typeof createRealmgate>>;
  try {
    gate = await createRealmgate(config, { logger: log });
  } catch (err) {
    // Files the config names (TLS material, admin.tokenFile, a CA) are part of the config: exit 1.
    if (isRealmgateError(err, ErrorCodes.CONFIG_INVALID) || isRealmgateError(err, ErrorCodes.CONFIG_READ)) fail(1, describeError(err));
    throw err;
  }
  try {
    await gate.start();
  } catch (err) {
    log.fatal({ err: describeError(err) }, 'cannot start');
    log.flush();
    gate.destroy();
    fail(2, describeError(err));
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      log.flush();
      gate.destroy();
      process.exit(2);
    }
    log.info({ signal, delayMs: config.shutdown.delayMs, drainTimeoutMs: config.shutdown.drainTimeoutMs }, 'shutting down');
    gate.close().then(
      () => {
        log.info('shutdown complete');
        log.flush();
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err: describeError(err) }, 'shutdown failed');
        log.flush();
        process.exit(2);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // SIGHUP re-reads the file and applies what can change in place (it no longer kills the gate).
  process.on('SIGHUP', createReloadTrigger(() => (signals > 0 ? Promise.resolve() : reloadFromFile(gate, file, log))));
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        clients: { type: 'string' },
        'duration-ms': { type: 'string' },
        serializer: { type: 'string' },
        admin: { type: 'string' },
        realm: { type: 'string' },
        timeout: { type: 'string' },
        ready: { type: 'boolean' },
        keep: { type: 'boolean' },
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
        'schema-only': { type: 'boolean' },
        transport: { type: 'string' },
      },
    });
  } catch (err) {
    fail(EXIT_USAGE, `${describeError(err)}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return void process.stdout.write(`${HELP}\n`);
  if (values.version) return void process.stdout.write(`${version()}\n`);
  const [command, ...rest] = positionals;
  if (rest.length > 0) fail(EXIT_USAGE, `unexpected arguments: ${rest.join(' ')} (see realmgate --help)`);
  switch (command) {
    case undefined:
      return run(configFile(values));
    case 'check-config': {
      const config = load(configFile(values), !values['schema-only']);
      process.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
      return;
    }
    case 'drain':
    case 'undrain': {
      const { requestDrain } = await import('./admin/drain-client.js');
      const config = load(configFile(values));
      process.exit(await requestDrain(config, command, { adminUrl: values.admin, out: (l) => process.stdout.write(`${l}\n`) }));
    }
    case 'keygen': {
      const { keygenInstructions, writeKeyPair } = await import('./cli/keygen.js');
      try {
        process.stdout.write(`${keygenInstructions(writeKeyPair({ out: values.out ?? 'realmgate', force: values.force ?? false }))}\n`);
      } catch (err) {
        fail(2, describeError(err));
      }
      return;
    }
    case 'demo': {
      const { runDemo } = await import('./demo/run.js').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ERR_MODULE_NOT_FOUND') fail(2, 'the demo is not built yet');
        throw err;
      });
      const code = await runDemo({
        clients: values.clients === undefined ? undefined : Number(values.clients),
        durationMs: values['duration-ms'] === undefined ? undefined : Number(values['duration-ms']),
        serializer: values.serializer,
        // --keep: run until Ctrl-C / SIGTERM (main.ts owns the process's signals).
        keepUntil: values.keep ? new Promise((r) => { process.once('SIGINT', r); process.once('SIGTERM', r); }) : undefined,
        transport: values.transport,
      });
      process.exit(code);
    }
    case 'wait':
    case 'health': {
      const { adminUrl } = await import('./cli/admin-get.js');
      const admin = adminUrl({ admin: values.admin, config: values.config, env: process.env });
      if (command === 'health') {
        const { checkHealth } = await import('./cli/health.js');
        process.exit(await checkHealth({ admin, ready: values.ready === true, timeoutMs: 3000 }));
      }
      const timeoutS = values.timeout === undefined ? 60 : Number(values.timeout);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0) fail(EXIT_USAGE, `--timeout must be a positive number of seconds (got "${values.timeout}")`);
      const { waitReady } = await import('./cli/wait.js');
      process.exit(await waitReady({ admin, realm: values.realm, timeoutMs: timeoutS * 1000 }));
    }
    default:
      fail(EXIT_USAGE, `unknown command "${command}"\n\n${HELP}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => fail(2, `fatal: ${describeError(err)}`));
