/**
 * The hostile-client section of `npm run reliability`: one check per attack of issue 12, each
 * against its own gate process, at full size. Each returns its row even when the gate fails the
 * target, so the same suite measures the gate before and after the hardening.
 */
import type { CheckRow } from '../check-row.js';
import { runAdmin } from './admin.js';
import { runAmplification } from './amplification.js';
import { runAnswers, runPaths } from './answers.js';
import { runConnectionLimit } from './connection-limit.js';
import { runFloods } from './floods.js';
import { runFirstFragments, runHeldHellos } from './global-bound.js';
import { CHART_MEMORY_LIMIT_MIB, LIVE_TARGET_MS, RSS_TARGET_MIB } from './harness.js';
import { runLeak } from './leak.js';
import { runSecrets } from './secrets.js';
import { runSmuggling } from './smuggling.js';

/** [label, check] in the order they run (about 4–5 minutes on 2 cores). */
export const HOSTILE_CHECKS: readonly [string, () => Promise<CheckRow>][] = [
  ['hostile: leak', () => runLeak()],
  ['hostile: amplification', () => runAmplification()],
  ['hostile: global bound (first fragments)', () => runFirstFragments()],
  ['hostile: global bound (held HELLOs)', () => runHeldHellos()],
  ['hostile: smuggling', () => runSmuggling()],
  ['hostile: admin', () => runAdmin()],
  ['hostile: connection limit', () => runConnectionLimit()],
  ['hostile: secrets', () => runSecrets()],
  ['hostile: floods', () => runFloods()],
  ['hostile: wrong answers', () => runAnswers()],
  ['hostile: paths', () => runPaths()],
];

export const HOSTILE_NOTES: readonly string[] = [
  `Hostile clients (issue 12): one check per attack, each against its own gate process with default or near-default config, clients in the suite process, loopback only, every loop bounded in count and time. Every row carries the gate's peak RSS (VmHWM), RSS before/after, fd count before/after (after: once the attack's connections are closed), \`/health/live\` sampled every 25 ms from a worker thread throughout (slowest answer, samples over 100 ms, failures = no 200 within 1 s), and crashes. Targets: peak RSS under ${RSS_TARGET_MIB} MiB (60 % of the chart's ${CHART_MEMORY_LIMIT_MIB}Mi limit), \`/health/live\` under ${LIVE_TARGET_MS} ms throughout, no crash, fds back to baseline — plus each attack's own conditions, listed as \`failed\` when they do not hold.`,
  'Answer kinds: `http:N` a response head before any 101; `ws-close:N` a WebSocket CLOSE code after the gate\'s 101 (1002 protocol error, 1008 policy / HELLO timeout, 1009 too big, 1011 upstream error, 1013 try again later); `abort` a WAMP ABORT; `101+open` still open when counted (held); `101+close` closed without a CLOSE frame; `none` closed before any answer.',
  'The checks read the gate\'s own effective config (`realmgate check-config`) to learn whether it has `limits.preAdmissionBytes`, `listen.maxConnections` and a head timeout, and pass those keys only then; on a gate without them the corresponding condition fails with the measured figures. `npm run reliability -- --only hostile [--measure]` runs this section alone (`--measure`: exit 0 whatever the rows say; the report goes to stdout and `RELIABILITY_OUT` if set).',
  'Smuggling: the upstream is a raw HTTP/1.1 server in the suite process that answers every request head it parses with 404 and keep-alive (ignoring `Connection: close`, as a lenient server may) and counts them; the second request on each connection is an upgrade for a realm the gate is holding, with a forged `X-Forwarded-For`. Admin: the non-loopback drain connects to 127.0.0.1 from the host\'s own non-loopback address (the kernel keeps it on loopback; the gate sees a non-loopback peer). Connection limit: the gate is started under `ulimit -n 1024`; `listen.maxConnections` (when supported) is set to 700.',
];
