import type { ProbeSourceConfig } from '../config/schema.js';
import { ErrorCodes, RealmgateError } from '../errors.js';
import { parseSubprotocol } from '../wamp/serializers.js';
import { probeRealm, type ProbeResult } from '../crossbar/hello-probe.js';
import { redactUrl } from '../redact.js';
import { PollLoop } from './poll-loop.js';
import type { ReadinessSource, SourceContext, SourceSink } from './source.js';

interface RealmProbeState {
  /** What this source last reported; undefined until the first report. */
  reported: boolean | undefined;
  /** The result being counted towards a flip, and how many times in a row it was seen. */
  candidate: boolean | undefined;
  streak: number;
  last: ProbeResult | undefined;
}

/** The probe URL: `cfg.url`, else the upstream origin as ws(s) with `cfg.path`. */
export function probeUrl(cfg: Pick<ProbeSourceConfig, 'url' | 'path'>, upstreamUrl: string): string {
  if (cfg.url !== undefined) return cfg.url;
  const u = new URL(upstreamUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = cfg.path;
  u.search = '';
  return u.toString();
}

/**
 * Folds one probe result into a realm's state. A flip needs `consecutive` equal results in a
 * row, because parallel proxy workers share one port and each probe sees one of them. The very
 * first observation may report "not ready" at once (the safe direction), never "ready".
 * @returns the state to report now.
 */
export function foldResult(state: RealmProbeState, ready: boolean, consecutive: number): boolean {
  if (state.reported === undefined && !ready) {
    state.reported = false;
    state.candidate = undefined;
    state.streak = 0;
    return false;
  }
  if (ready === state.reported) {
    state.candidate = undefined;
    state.streak = 0;
    return ready;
  }
  state.streak = state.candidate === ready ? state.streak + 1 : 1;
  state.candidate = ready;
  if (state.streak >= consecutive) {
    state.reported = ready;
    state.candidate = undefined;
    state.streak = 0;
  }
  return state.reported ?? false;
}

/**
 * Runs one probe per realm concurrently, each with its own AbortSignal. The loop's signal gets
 * one listener per round, which aborts them all: handing the loop's signal to every probe would
 * put one listener per realm on it at once (MaxListenersExceededWarning past 10 realms), and a
 * shared per-round signal would do the same. The round's listener is removed when it ends.
 */
export async function probeAll<T>(realms: readonly string[], probe: (realm: string, signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T[]> {
  const controllers = realms.map(() => new AbortController());
  const onStop = (): void => {
    for (const c of controllers) c.abort();
  };
  if (signal.aborted) onStop();
  else signal.addEventListener('abort', onStop, { once: true });
  try {
    return await Promise.all(realms.map((realm, i) => probe(realm, controllers[i]!.signal)));
  } finally {
    signal.removeEventListener('abort', onStop);
  }
}

/**
 * `type: probe`: per realm the gate guards, every `intervalMs`, a HELLO (`anonymous`) to the
 * upstream; ABORT `wamp.error.no_such_realm` or no connection → not ready, any other answer →
 * ready. Needs no credentials, sees only what one proxy worker says per probe.
 * @param opts.name source name; default `cfg.name ?? 'probe'`.
 */
export function createProbeSource(cfg: ProbeSourceConfig, ctx: SourceContext, opts: { name?: string } = {}): ReadinessSource {
  const name = opts.name ?? cfg.name ?? 'probe';
  const url = probeUrl(cfg, ctx.upstreamUrl);
  const sp = parseSubprotocol(`wamp.2.${cfg.serializer}`);
  const states = new Map<string, RealmProbeState>();
  let loop: PollLoop | undefined;
  let sink: SourceSink | undefined;
  let closed = false;

  async function round(signal: AbortSignal): Promise<void> {
    if (sp === undefined) {
      sink?.fail(new RealmgateError(ErrorCodes.SOURCE_FAILED, `probe: unsupported serializer "${cfg.serializer}"`));
      return;
    }
    const realms = [...new Set(ctx.realms())];
    for (const r of [...states.keys()]) if (!realms.includes(r)) states.delete(r);
    const results = await probeAll(realms, (realm, probeSignal) => probeRealm(url, sp, realm, cfg.timeoutMs, probeSignal), signal);
    if (signal.aborted) return;
    const answer: Record<string, boolean> = {};
    realms.forEach((realm, i) => {
      const result = results[i] as ProbeResult;
      let st = states.get(realm);
      if (st === undefined) states.set(realm, (st = { reported: undefined, candidate: undefined, streak: 0, last: undefined }));
      st.last = result;
      answer[realm] = foldResult(st, result.ready, cfg.consecutive);
    });
    sink?.snapshot(answer);
    sink?.detail({
      url: redactUrl(url),
      consecutive: cfg.consecutive,
      realms: Object.fromEntries([...states].map(([r, s]) => [r, { ready: s.reported ?? false, last: s.last?.reason, streak: s.streak }])),
    });
  }

  return {
    name,
    type: 'probe',
    start(s) {
      if (sink !== undefined || closed) return;
      sink = s;
      loop = new PollLoop({ clock: ctx.clock, intervalMs: cfg.intervalMs, attempt: round });
      loop.start();
    },
    async close() {
      closed = true;
      await loop?.close();
    },
    destroy() {
      closed = true;
      void loop?.close();
    },
  };
}
