#!/usr/bin/env node
/**
 * The CLI — the only file that touches `process`: arguments, config, signals,
 * exit codes (0 clean shutdown, 1 bad config, 2 fatal runtime error).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, redactConfig } from './config/load.js';
import { describeError, isRealmgateError } from './errors.js';
import { createLogger } from './logger.js';
import { createRealmgate } from './realmgate.js';

const HELP = `realmgate — readiness-gating reverse proxy for Crossbar.io

Usage:
  realmgate [--config FILE]                 run the gate (FILE defaults to $REALMGATE_CONFIG)
  realmgate check-config --config FILE      validate; print the effective config (secrets redacted)
  realmgate demo [--clients N] [--duration-ms MS] [--serializer json|msgpack|cbor] [--transport websocket|rawsocket]
                                            the embedded demo (what \`npm start\` runs)
  realmgate --help | --version

Environment: REALMGATE_CONFIG, REALMGATE_LOG_LEVEL, and \${VAR} substitution in the config file.
Exit codes: 0 clean shutdown, 1 bad config, 2 fatal runtime error.`;

const LOG_LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function fail(code: 1 | 2, message: string): never {
  process.stderr.write(`realmgate: ${message}\n`);
  process.exit(code);
}

function configFile(values: { config?: string | undefined }): string {
  const file = values.config ?? process.env.REALMGATE_CONFIG;
  if (!file) fail(1, 'no config file: pass --config FILE or set REALMGATE_CONFIG');
  return file;
}

function load(file: string) {
  try {
    return loadConfig(file);
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
  const gate = await createRealmgate(config, { logger: log });
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
        transport: { type: 'string' },
      },
    });
  } catch (err) {
    fail(1, `${describeError(err)}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return void process.stdout.write(`${HELP}\n`);
  if (values.version) return void process.stdout.write(`${version()}\n`);
  const [command, ...rest] = positionals;
  if (rest.length > 0) fail(1, `unexpected arguments: ${rest.join(' ')}`);
  switch (command) {
    case undefined:
      return run(configFile(values));
    case 'check-config': {
      const config = load(configFile(values));
      process.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
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
        transport: values.transport,
      });
      process.exit(code);
    }
    default:
      fail(1, `unknown command "${command}"\n\n${HELP}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => fail(2, `fatal: ${describeError(err)}`));
