/**
 * The bench's outputs: results JSON, the markdown results section (written
 * into bench/README.md between the results markers) and an SVG bar chart of
 * tunnel msgs/s per target per case.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from './chart.js';
import type { HeldSummary } from './scenarios/held.js';
import type { ReadinessSummary } from './scenarios/readiness.js';
import type { SessionSummary } from './scenarios/sessions.js';
import type { TunnelSummary } from './scenarios/tunnel.js';

export interface BenchResults {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; memGiB: number; kernel: string; loadAvg?: number[] };
  versions: { node: string; realmgate: string; nginx: string | null; haproxy: string | null };
  skipped: string[];
  tunnel: TunnelSummary[];
  sessions: SessionSummary[];
  held: HeldSummary[];
  readiness: ReadinessSummary[];
  durationS: number;
}

export interface TargetCheck {
  goal: string;
  measured: string;
  met: boolean | null;
}

const dir = import.meta.dirname;
const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

const fmt = (x: number | null | undefined, digits = 0): string =>
  x === null || x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Each target of issues 6 and 13, met or missed, from the results (null = not measured). */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const out: TargetCheck[] = [];
  const rate = (c: string, t: string): number | undefined => r.tunnel.find((x) => x.case === c && x.target === t)?.msgsPerSec;
  for (const c of [...new Set(r.tunnel.map((x) => x.case))]) {
    const need = c.startsWith('64B') ? 0.95 : 1.0;
    for (const gate of ['realmgate', 'realmgate-peek']) {
      for (const other of ['nginx', 'haproxy']) {
        const a = rate(c, gate);
        const b = rate(c, other);
        const ratio = a !== undefined && b ? a / b : undefined;
        out.push({ goal: `${c}: ${gate}/${other} ≥ ${need.toFixed(2)}`, measured: ratio === undefined ? 'not measured' : ratio.toFixed(2), met: ratio === undefined ? null : ratio >= need });
      }
    }
  }
  // Issue 13: realmgate's own cost over the platform's, per case.
  const cpu = (c: string, t: string): number | null | undefined => r.tunnel.find((x) => x.case === c && x.target === t)?.cpuUsPerMsg;
  for (const c of [...new Set(r.tunnel.map((x) => x.case))]) {
    for (const gate of ['realmgate', 'realmgate-peek']) {
      const a = cpu(c, gate);
      const b = cpu(c, 'node-http-pipe');
      const ratio = a != null && b ? a / b : undefined;
      out.push({ goal: `${c}: ${gate} proxy CPU/msg ≤ 1.2 × node-http-pipe`, measured: ratio === undefined ? 'not measured' : `${fmt(a, 1)} vs ${fmt(b, 1)} µs = ${ratio.toFixed(2)}`, met: ratio === undefined ? null : ratio <= 1.2 });
    }
  }
  const sessionRate = (t: string): number | undefined => r.sessions.find((s) => s.target === t)?.sessionsPerSec;
  for (const gate of ['realmgate', 'realmgate-peek']) {
    const a = sessionRate(gate);
    const b = sessionRate('nginx');
    const ratio = a !== undefined && b ? a / b : undefined;
    out.push({ goal: `sessions/s: ${gate}/nginx ≥ 0.90`, measured: ratio === undefined ? 'not measured' : ratio.toFixed(2), met: ratio === undefined ? null : ratio >= 0.9 });
  }
  const peek = r.sessions.find((s) => s.target === 'realmgate-peek');
  out.push({ goal: 'HELLO peek adds ≤ 1 ms p50 (session: handshake + HELLO → WELCOME, vs direct)', measured: peek ? `${fmt((peek.addedP50Us ?? NaN) / 1000, 2)} ms` : 'not measured', met: peek?.addedP50Us == null ? null : peek.addedP50Us <= 1000 });
  for (const h of r.held.filter((x) => x.mode !== 'node-http-pipe')) {
    out.push({ goal: `≤ 10 KiB RSS per held connection (${h.mode}, ${h.held})`, measured: `${fmt(h.rssKiBPerConn, 2)} KiB`, met: h.rssKiBPerConn <= 10 });
  }
  for (const h of r.held.filter((x) => x.held >= 10_000 && x.mode !== 'node-http-pipe')) {
    out.push({ goal: `${fmt(h.held)} released ≤ 2 s (${h.mode})`, measured: `${fmt(h.releaseMs)} ms (99 % in ${h.release99Ms === undefined ? '–' : fmt(h.release99Ms)} ms; ${fmt(h.admitted)} admitted, ${h.failed} failed, ${fmt(h.stillWaiting ?? 0)} still waiting)`, met: h.releaseMs <= 2000 && h.failed === 0 && !h.stillWaiting });
  }
  const ev = r.readiness.find((x) => x.path === 'event');
  out.push({ goal: 'event path readiness → admission ≤ 100 ms (p50)', measured: ev ? `${fmt(ev.p50Ms, 1)} ms (p90 ${fmt(ev.p90Ms, 1)}, max ${fmt(ev.maxMs, 1)})` : 'not measured', met: ev ? ev.p50Ms <= 100 : null });
  return out;
}

export function renderMarkdown(r: BenchResults): string {
  const L: string[] = [];
  L.push(`Run ${r.date.slice(0, 16).replace('T', ' ')} UTC, ${r.durationS} s${r.quick ? ' (--quick)' : ''}. Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGiB} GiB, Linux ${r.machine.kernel}${r.machine.loadAvg ? `, load average ${r.machine.loadAvg.map((x) => x.toFixed(2)).join(' / ')} (1/5/15 min) when the run started` : ''}.`);
  L.push(`Versions: Node ${r.versions.node}, realmgate ${r.versions.realmgate}, ${r.versions.nginx ?? 'nginx: absent'}, ${r.versions.haproxy ?? 'haproxy: absent'}.`);
  if (r.skipped.length) L.push(`Skipped: ${r.skipped.join('; ')}.`);
  L.push('', '### 1. Admitted tunnels (median of repetitions)', '');
  L.push('| case | target | reps | msgs/s | p50 µs | p99 µs | proxy CPU µs/msg | vs nginx | vs HAProxy |');
  L.push('|---|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const t of r.tunnel) {
    const ng = r.tunnel.find((x) => x.case === t.case && x.target === 'nginx')?.msgsPerSec;
    const hp = r.tunnel.find((x) => x.case === t.case && x.target === 'haproxy')?.msgsPerSec;
    const ratio = (b: number | undefined): string => (t.target.startsWith('realmgate') && b ? (t.msgsPerSec / b).toFixed(2) : '');
    L.push(`| ${t.case} | ${t.target} | ${t.reps} | ${fmt(t.msgsPerSec)} | ${fmt(t.p50Us)} | ${fmt(t.p99Us)} | ${fmt(t.cpuUsPerMsg, 1)} | ${ratio(ng)} | ${ratio(hp)} |`);
  }
  L.push('', '![tunnel msgs/s per target](results/throughput.svg)', '');
  L.push('### 2. Session establishment (WebSocket handshake + HELLO → WELCOME)', '');
  L.push('| target | reps | sessions/s (16 loops) | p50 µs (1 loop) | added p50 µs vs direct | proxy CPU µs/session | failures |');
  L.push('|---|--:|--:|--:|--:|--:|--:|');
  for (const s of r.sessions) L.push(`| ${s.target} | ${s.reps} | ${fmt(s.sessionsPerSec)} | ${fmt(s.p50Us)} | ${fmt(s.addedP50Us)} | ${fmt(s.cpuUsPerSession, 1)} | ${s.failures} |`);
  L.push('', '### 3. Held connections (pacing off)', '');
  L.push('| mode | held | reps | RSS KiB / held conn | ready → last admitted ms | ready → 99 % admitted ms | flip → last admitted ms | admitted | failed | still waiting (3 s after the last) | gate fds idle / limit | CPU ms in release: gate (its main thread) / upstream / clients | listen overflows in release |');
  L.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const h of r.held) L.push(`| ${h.mode} | ${fmt(h.held)} | ${h.reps} | ${fmt(h.rssKiBPerConn, 2)} | ${fmt(h.releaseMs, 1)} | ${h.release99Ms === undefined ? '–' : fmt(h.release99Ms, 1)} | ${fmt(h.releaseFromFlipMs, 1)} | ${fmt(h.admitted)} | ${h.failed} | ${h.stillWaiting === undefined ? '–' : fmt(h.stillWaiting)} | ${h.gateIdleFds} / ${h.gateFdLimit === undefined ? '–' : fmt(h.gateFdLimit)} | ${fmt(h.releaseCpuMs.gate)} (${h.gateMainThreadMs === undefined ? '–' : fmt(h.gateMainThreadMs)}) / ${fmt(h.releaseCpuMs.upstream)} / ${fmt(h.releaseCpuMs.clients)} | ${h.listenOverflows === undefined ? '–' : fmt(h.listenOverflows)} |`);
  L.push('', '### 4. Readiness → admission through the gate (Crossbar source, simulated master)', '');
  L.push('| path | runs | p50 ms | p90 ms | max ms |');
  L.push('|---|--:|--:|--:|--:|');
  for (const x of r.readiness) L.push(`| ${x.path}${x.pollIntervalMs ? ` (poll every ${x.pollIntervalMs} ms)` : ''} | ${x.runs} | ${fmt(x.p50Ms, 1)} | ${fmt(x.p90Ms, 1)} | ${fmt(x.maxMs, 1)} |`);
  L.push('', '### Targets', '');
  L.push('| target | measured | |', '|---|---|---|');
  for (const c of checkTargets(r)) L.push(`| ${c.goal} | ${c.measured} | ${c.met === null ? 'not measured' : c.met ? 'met' : '**missed**'} |`);
  return L.join('\n');
}

/** Writes results/<latest|quick>.json, results/throughput.svg and (optionally) the README section. */
export function writeReport(r: BenchResults, opts: { updateReadme: boolean }): void {
  const base = r.quick ? 'quick' : 'latest';
  writeFileSync(join(dir, 'results', `${base}.json`), `${JSON.stringify({ ...r, targets: checkTargets(r) }, null, 2)}\n`);
  if (r.tunnel.length) writeFileSync(join(dir, 'results', r.quick ? 'throughput-quick.svg' : 'throughput.svg'), renderChart(r.tunnel, r.date));
  const md = renderMarkdown(r);
  console.log(md);
  const checks = checkTargets(r);
  console.error(`targets: ${checks.filter((c) => c.met === true).length} met, ${checks.filter((c) => c.met === false).length} missed, ${checks.filter((c) => c.met === null).length} not measured`);
  const readme = join(dir, 'README.md');
  if (!opts.updateReadme || !existsSync(readme)) return;
  const text = readFileSync(readme, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return;
  writeFileSync(readme, `${text.slice(0, a + START.length)}\n${md}\n${text.slice(b)}`);
}
