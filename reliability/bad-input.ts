/**
 * The bad-input check: N generated inputs per class, each on a new connection to a running gate
 * process, `concurrency` in flight; every answer classified and counted. Bounded by count and by
 * `deadlineMs` (inputs not started by then are not sent, and the result says so).
 */
import fc from 'fast-check';
import { answerKind, exchange, isAllowed } from './exchange.js';
import { fdsSettle, type GateProcess } from './gate-process.js';
import { INPUT_CLASSES, inputArbitrary, type InputClass } from './inputs.js';

export interface ClassResult {
  kind: InputClass;
  /** Inputs generated and sent. */
  sent: number;
  /** Answer kind → count. */
  answers: Record<string, number>;
  /** Inputs whose answer was not allowed. */
  disallowed: number;
  /** Up to 5 disallowed inputs (first 300 bytes, JSON-escaped) with their answer kind. */
  examples: { kind: string; input: string }[];
}

export interface BadInputResult {
  classes: ClassResult[];
  sent: number;
  disallowed: number;
  /** The gate process died, or logged an uncaught exception / unhandled rejection. */
  crashes: number;
  fdBefore: number;
  fdAfter: number;
  peakRssKb: number;
  durationMs: number;
  /** True if the deadline cut the run short. */
  truncated: boolean;
  seed: number;
}

export interface BadInputOptions {
  /** Inputs per class. */
  perClass: number;
  /** Connections in flight; default 50. */
  concurrency?: number;
  seed?: number;
  /** Whole-run deadline, ms; default 8 minutes. */
  deadlineMs?: number;
  /** Inputs generated per fast-check batch; default 500. */
  batch?: number;
  onProgress?: (sent: number, total: number) => void;
}

const BATCH = 500;

/** Runs the check against `gate` (configured by {@link fuzzGateConfig}). */
export async function runBadInput(gate: GateProcess, opts: BadInputOptions): Promise<BadInputResult> {
  const seed = opts.seed ?? 20261127;
  const concurrency = opts.concurrency ?? 50;
  const deadline = Date.now() + (opts.deadlineMs ?? 8 * 60_000);
  const started = performance.now();
  const fdBefore = gate.fdCount();
  const classes: ClassResult[] = INPUT_CLASSES.map((kind) => ({ kind, sent: 0, answers: {}, disallowed: 0, examples: [] }));
  const total = opts.perClass * classes.length;
  let sent = 0;
  let truncated = false;

  // Inputs are generated lazily in batches (a huge-header input is 40 KB) and interleaved by class.
  function* inputs(): Generator<{ cls: ClassResult; chunks: Buffer[] }> {
    const batch = opts.batch ?? BATCH;
    for (let offset = 0; offset < opts.perClass; offset += batch) {
      const n = Math.min(batch, opts.perClass - offset);
      const perClass = classes.map((cls, i) => fc.sample(inputArbitrary(cls.kind), { numRuns: n, seed: seed + i * 1_000_003 + offset }));
      for (let j = 0; j < n; j++) for (const [i, cls] of classes.entries()) yield { cls, chunks: perClass[i]![j]! };
    }
  }
  const source = inputs();
  async function worker(): Promise<void> {
    for (;;) {
      if (gate.dead()) return;
      if (Date.now() > deadline) {
        truncated = true;
        return;
      }
      const next = source.next();
      if (next.done) return;
      const { cls, chunks } = next.value;
      const kind = answerKind(await exchange(gate.port, chunks));
      cls.sent++;
      sent++;
      cls.answers[kind] = (cls.answers[kind] ?? 0) + 1;
      if (!isAllowed(kind)) {
        cls.disallowed++;
        if (cls.examples.length < 5) cls.examples.push({ kind, input: JSON.stringify(Buffer.concat(chunks).subarray(0, 300).toString('latin1')) });
      }
      if (sent % 1000 === 0) opts.onProgress?.(sent, total);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const fdAfter = await fdsSettle(gate, fdBefore);
  return {
    classes, sent, seed, truncated,
    disallowed: classes.reduce((n, c) => n + c.disallowed, 0),
    crashes: crashCount(gate),
    fdBefore, fdAfter,
    peakRssKb: gate.memory().peakRssKb,
    durationMs: Math.round(performance.now() - started),
  };
}

/** 1 if the process is gone, plus every logged uncaught exception or unhandled rejection. */
export function crashCount(gate: GateProcess): number {
  const logged = gate.stdout.filter((l) => /"msg":"(uncaught exception|unhandled rejection)"/.test(l)).length;
  return (gate.dead() ? 1 : 0) + logged;
}

/**
 * The gate under fuzz: realm1 ready (static), realm2 not ready with `reject` (an immediate 503 /
 * ABORT instead of a hold, so every input is answered quickly), unknown realms rejected, short HELLO
 * timeout so a handshake without a HELLO ends in seconds.
 */
export function fuzzGateConfig(upstreamUrl: string): object {
  return {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstreamUrl, connectTimeoutMs: 3000 },
    realms: [{ name: 'realm1', paths: ['/ws/realm1'] }, { name: 'realm2', paths: ['/ws/realm2'], onNotReady: 'reject' }],
    unknownRealm: 'reject',
    realmFrom: ['path', 'query', 'header', 'hello'],
    hello: { timeoutMs: 2000, maxBytes: 65536 },
    readiness: { sources: [{ type: 'static', ready: ['realm1'], notReady: ['realm2'] }] },
    shutdown: { delayMs: 0, drainTimeoutMs: 2000 },
    log: { level: 'info' },
  };
}
