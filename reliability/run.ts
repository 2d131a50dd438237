/**
 * `npm run reliability`: the full reliability suite against real gate processes — bad input,
 * load, faults, security, hostile clients — then a summary on stdout and docs/reliability.md. Bounded: every loop
 * has a count and a deadline (about 15 minutes in all on 2 cores, 5 of them hostile clients).
 *
 * Options (env): RELIABILITY_FUZZ_PER_CLASS (default 25000 → 100,000 inputs), RELIABILITY_LOAD_HELD
 * (default 10000), RELIABILITY_TUNNELS (default 1000), RELIABILITY_OUT (default docs/reliability.md).
 * Arguments: `--only <group>` runs one section (e.g. `--only hostile`; the README and
 * docs/reliability.md are then left alone, the report goes to RELIABILITY_OUT if set);
 * `--measure` exits 0 whatever the rows say (for figures from a gate known to fail).
 */
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { replaceReadmeSection } from '../scripts/readme-section.js';
import { dirname, join } from 'node:path';
import { badInputRows, runBadInputCheck } from './bad-input-check.js';
import type { CheckRow } from './check-row.js';
import { runSigtermWithTunnels, runSlowHello, runUpstreamRefusing } from './faults-gate.js';
import { runMasterFaults } from './faults-master.js';
import { loadRow, runLoad } from './load.js';
import { renderReport, renderSummary } from './report.js';
import { runSecurity } from './security.js';
import { runRawSocketFuzz } from './rawsocket-fuzz.js';
import { HOSTILE_CHECKS, HOSTILE_NOTES } from './hostile/checks.js';
import { handleUsage } from '../scripts/usage.js';

// `--only hostile`: the value after --only is not a flag of its own.
const argvForUsage = process.argv.slice(2).filter((a, i, all) => all[i - 1] !== '--only');
handleUsage(argvForUsage, `
npm run reliability [-- --only GROUP] [-- --measure]

Runs the reliability suite against real gate processes (bad input, load, faults, security, hostile
clients; about 15 minutes on 2 cores), prints a summary and rewrites docs/reliability.md and the
README's reliability section.
  --only GROUP  run one section (e.g. --only hostile); README and docs/reliability.md are left alone
  --measure     exit 0 whatever the rows say (figures from a gate known to fail)
Environment:
  RELIABILITY_FUZZ_PER_CLASS  generated inputs per class (default 25000)
  RELIABILITY_LOAD_HELD       held clients in the load check (default 10000)
  RELIABILITY_TUNNELS         open tunnels at SIGTERM (default 1000)
  RELIABILITY_RAWSOCKET_INPUTS  generated RawSocket openings (default 10000)
  RELIABILITY_OUT             the report file (default docs/reliability.md)
`, ['--only', '--only=', '--measure']);

const NOTES = [
  'Every check runs the gate as a real process, the build that ships (`node dist/main.js --config F`; `npm run reliability` builds it first), so crashes, exit codes, `/proc/<pid>/fd` counts and `/proc/<pid>/status` VmHWM (peak RSS) are real. Upstreams are the simulated Crossbar proxy transport (`src/simulator/proxy-transport.ts`), in a child process; the master is `SimulatedMaster`.',
  'Bad input: fast-check generates each input (seeded, reproducible); each goes on a new connection, 50 in flight. Allowed answers, for every class: an HTTP status other than 500 (4xx for malformed requests; an upstream answer such as 200/404 for well-formed requests that are forwarded), a WAMP ABORT or WELCOME (or any WAMP message from the upstream after admission), a WebSocket CLOSE code, or — only for inputs that stop mid-request or mid-frame — a close once the client, after 400 ms of silence, sends FIN (the gate was correctly waiting for the rest). Not allowed: a bare close or reset with no answer, a 500, or a connection still open 4 s after the client\'s FIN. A crash is the process exiting or logging an uncaught exception / unhandled rejection.',
  'The fuzz gate: realm1 ready (static source), realm2 not ready with `onNotReady: reject` (so the answer is immediate), unknown realms rejected, `hello.timeoutMs` 2000, `hello.maxBytes` 65536, realm from path, query, header and HELLO.',
  'Load: clients in the suite process, upgrade-time realm (`?realm=realm1`), held by an `http` readiness source answering not-ready; then the control plane flips to ready. Each admitted client hangs up on its 101 (the gate\'s 20000 open-file limit cannot hold 10,000 clients plus 10,000 upstream sockets at once). 100 more clients than the queue limit are sent while it is full. The second load row releases all 10,000 at once (`releasePerSecond: 0`): since `upstream.maxConnecting` (at most 32 upstream connections waiting for their answer) that burst no longer overflows the upstream\'s accept backlog, but it can still outrun the gate\'s open-file limit, and those clients get `502` + `Retry-After` (`upstream_error`); pace releases (`releasePerSecond`) at this scale.',
  'Defects this suite found and that are fixed, each with a regression test: CONNECT dropped without an answer (`test/integration/connect-method-answered-405.test.ts`); PRI-method and asterisk-form requests dropped by the HTTP forward (`pri-method-and-asterisk-target-answered-400.test.ts`); the simulated proxy crashing on a request target `new URL()` rejects (`simulated-proxy-odd-request-target-no-crash.test.ts`); a 502 for a failed upstream connect without retry guidance (`upstream-error-502-carries-retry-after.test.ts`).',
  ...HOSTILE_NOTES,
  'Numbers vary with the machine and with what else runs on it; the commands above reproduce them. Smaller, deterministic versions of every check run in `npm test` (`test/reliability/`).',
];

// The gate processes run the build (gate-process.ts); `npm run reliability` has just made it.
process.env.RG_GATE_FROM ??= 'dist';

const env = (name: string, dflt: number): number => Number(process.env[name] ?? dflt);
const perClass = env('RELIABILITY_FUZZ_PER_CLASS', 25_000);
const held = env('RELIABILITY_LOAD_HELD', 10_000);
const tunnels = env('RELIABILITY_TUNNELS', 1000);
const { values: args } = parseArgs({ options: { only: { type: 'string' }, measure: { type: 'boolean', default: false } } });
const only = args.only;
const out = process.env.RELIABILITY_OUT ?? (only === undefined ? join(import.meta.dirname, '../docs/reliability.md') : undefined);

const startedAt = new Date();
const t0 = performance.now();
const rows: CheckRow[] = [];
const step = async (name: string, f: () => Promise<CheckRow | CheckRow[]>): Promise<void> => {
  if (only !== undefined && !name.startsWith(only)) return;
  process.stdout.write(`== ${name}\n`);
  try {
    const r = await f();
    for (const x of Array.isArray(r) ? r : [r]) {
      rows.push(x);
      process.stdout.write(`${renderSummary([x])}\n`);
    }
  } catch (err) {
    const x: CheckRow = { group: name, check: `${name} (did not complete)`, pass: false, figures: { error: String((err as Error)?.stack ?? err).slice(0, 300) } };
    rows.push(x);
    process.stdout.write(`${renderSummary([x])}\n`);
  }
};

await step('bad input', async () => badInputRows(await runBadInputCheck({ perClass, concurrency: 50, deadlineMs: 6 * 60_000,
  onProgress: (n, total) => process.stdout.write(`   ${n}/${total}\r`) })));
await step('bad input', () => runRawSocketFuzz(env('RELIABILITY_RAWSOCKET_INPUTS', 10_000)));
await step('load', async () => loadRow(await runLoad({ held, over: 100, releasePerSecond: 2000 })));
await step('load', async () => loadRow(await runLoad({ held, over: 100, releasePerSecond: 0 }), true));
await step('faults', () => runMasterFaults());
await step('faults', () => runUpstreamRefusing(200));
await step('faults', () => runSlowHello());
await step('faults', () => runSigtermWithTunnels({ tunnels }));
await step('security', () => runSecurity());
for (const [name, check] of HOSTILE_CHECKS) await step(name, check);

const durationMs = Math.round(performance.now() - t0);
const command = only === undefined ? 'npm run reliability' : `npm run reliability -- --only ${only}`;
const report = renderReport(rows, { command, startedAt, durationMs, notes: NOTES });
if (out !== undefined) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, report);
}
// The README's Reliability section is this same report (without its title), written here — only by a full run.
if (process.env.RELIABILITY_OUT === undefined && only === undefined) replaceReadmeSection('reliability', report.replace(/^# .*\n/, ''));
process.stdout.write(`\n${rows.filter((r) => r.pass).length}/${rows.length} checks passed${out !== undefined ? `; wrote ${out}` : ''}\n`);
process.exit(args.measure || rows.every((r) => r.pass) ? 0 : 1);
