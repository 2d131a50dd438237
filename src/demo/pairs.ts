/**
 * The demo's clients: `clients` pairs, spread evenly over `spreadMs`; each pair connects at the
 * same moment, one client straight to the proxy transport, one through realmgate. Each joined
 * client makes one call (a real round trip through the proxy to the backend router).
 */
import { JoinBatcher, Timeline, type Tally } from './timeline.js';
import { joinOnce, type DemoSerializer, type JoinOutcome } from './wamp-client.js';

export interface PairsOptions {
  timeline: Timeline;
  clients: number;
  spreadMs: number;
  serializer: DemoSerializer;
  realm: string;
  /** A procedure registered in `realm` that adds its two arguments. */
  procedure: string;
  directUrl: string;
  gateUrl: string;
}

export interface PairResults {
  /** Resolves when every client has joined or been refused, or after `timeoutMs`. */
  settled(timeoutMs: number): Promise<void>;
  tally(): Tally;
  /** Closes every joined session. Idempotent. */
  closeAll(): void;
}

interface Side { outcome?: JoinOutcome; callOk?: boolean }

/** How long a pair's line waits for its gated client before calling it "held", ms. */
const PAIR_LINE_WAIT_MS = 150;

/** Starts the pairs on their schedule; see PairResults. */
export function startPairs(o: PairsOptions): PairResults {
  const direct: Side[] = Array.from({ length: o.clients }, () => ({}));
  const gated: Side[] = Array.from({ length: o.clients }, () => ({}));
  const startedAt: number[] = [];
  const closers: Array<() => void> = [];
  const batcher = new JoinBatcher(o.timeline, 'through realmgate');
  const all: Promise<void>[] = [];
  const timers: ReturnType<typeof setTimeout>[] = [];
  let closed = false;
  let scheduled!: () => void;
  const allScheduled = new Promise<void>((r) => (scheduled = r));

  async function attempt(url: string, side: Side): Promise<void> {
    const outcome = await joinOnce(url, o.realm, o.serializer);
    if (outcome.kind === 'joined') {
      if (closed) outcome.close();
      else closers.push(outcome.close);
      try {
        side.callOk = (await outcome.session.call(o.procedure, [2, 3])) === 5;
      } catch {
        side.callOk = false;
      }
    }
    side.outcome = outcome;
  }

  function describe(side: Side, at: number): string {
    const out = side.outcome;
    if (out === undefined) return 'held';
    if (out.kind === 'refused') return `refused (${(out.reason ?? 'closed').replace(/^wamp\.error\./, '')})`;
    const waited = out.at - at;
    return `joined${waited >= 100 ? ` after ${(waited / 1000).toFixed(1)} s` : ''} on ${out.worker ?? '?'}${side.callOk ? '' : ', call FAILED'}`;
  }

  async function pair(i: number): Promise<void> {
    const n = i + 1;
    const at = performance.now();
    startedAt[i] = at;
    const d = attempt(o.directUrl, direct[i]!);
    const g = attempt(o.gateUrl, gated[i]!);
    await d;
    await Promise.race([g, new Promise((r) => setTimeout(r, PAIR_LINE_WAIT_MS))]);
    const gatedInLine = gated[i]!.outcome !== undefined;
    // Stamped at the latest outcome the line reports, never before it: a "joined" line must not
    // print ahead of the "ready - releasing" line that caused the join.
    const lineAt = Math.max(at, direct[i]!.outcome?.at ?? at, gated[i]!.outcome?.at ?? at);
    o.timeline.line(`#${String(n).padEnd(3)} direct: ${describe(direct[i]!, at).padEnd(32)} through realmgate: ${describe(gated[i]!, at)}`, lineAt);
    await g;
    if (gatedInLine) return;
    const out = gated[i]!.outcome!;
    if (out.kind === 'joined' && gated[i]!.callOk) batcher.add({ n, waitMs: out.at - at, at: out.at, worker: out.worker });
    else o.timeline.line(`through realmgate: client #${n} ${describe(gated[i]!, at)}`, out.at);
  }

  for (let i = 0; i < o.clients; i++) {
    timers.push(setTimeout(() => {
      all.push(pair(i));
      if (all.length === o.clients) scheduled();
    }, (i * o.spreadMs) / o.clients));
  }

  return {
    async settled(timeoutMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
      await Promise.race([allScheduled.then(() => Promise.allSettled(all)), deadline]);
      clearTimeout(timer);
      batcher.flush();
    },
    tally() {
      const refused = (s: Side): boolean => s.outcome?.kind === 'refused';
      const waits = gated.flatMap((s, i) => (s.outcome?.kind === 'joined' ? [s.outcome.at - startedAt[i]!] : []));
      return {
        clients: o.clients,
        directRefused: direct.filter((s) => s.outcome?.kind === 'refused' && s.outcome.reason === 'wamp.error.no_such_realm').length,
        gatedRefused: gated.filter(refused).length,
        gatedMissing: gated.filter((s) => s.outcome === undefined || (s.outcome.kind === 'joined' && s.callOk !== true)).length,
        maxWaitMs: waits.length > 0 ? Math.max(...waits) : 0,
      };
    },
    closeAll() {
      closed = true;
      timers.forEach(clearTimeout);
      for (const close of closers.splice(0)) close();
    },
  };
}
