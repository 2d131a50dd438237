/**
 * Hand-made SVG bar chart of tunnel throughput: one panel per case (each with
 * its own scale, since 1×1 ping-pong and 50×16 differ by an order of
 * magnitude), one bar per target.
 */
import type { TunnelSummary } from './scenarios/tunnel.js';

const COLORS: Record<string, string> = {
  direct: '#9e9e9e',
  realmgate: '#1f77b4',
  'realmgate-peek': '#6baed6',
  nginx: '#2ca02c',
  haproxy: '#d62728',
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The chart as an SVG document (width 960 px). */
export function renderChart(rows: TunnelSummary[], date: string): string {
  const cases = [...new Set(rows.map((r) => r.case))];
  const targets = [...new Set(rows.map((r) => r.target))];
  const panelW = 230, panelH = 260, top = 60, left = 20, barGap = 6;
  const width = left * 2 + panelW * cases.length;
  const height = top + panelH + 90;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">WebSocket tunnel throughput, msgs/s (median) — higher is better</text>`);
  out.push(`<text x="${width / 2}" y="40" text-anchor="middle" fill="#555">${esc(date.slice(0, 10))} · loopback · size, connections × in flight</text>`);
  cases.forEach((c, ci) => {
    const x0 = left + ci * panelW + 15;
    const inner = panelW - 30;
    const vals = targets.map((t) => rows.find((r) => r.case === c && r.target === t)?.msgsPerSec ?? 0);
    const max = Math.max(1, ...vals) * 1.15;
    const barW = (inner - barGap * (targets.length - 1)) / targets.length;
    const base = top + panelH;
    out.push(`<line x1="${x0}" y1="${base}" x2="${x0 + inner}" y2="${base}" stroke="#333"/>`);
    targets.forEach((t, ti) => {
      const v = vals[ti]!;
      const h = ((panelH - 20) * v) / max;
      const x = x0 + ti * (barW + barGap);
      out.push(`<rect x="${x.toFixed(1)}" y="${(base - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[t] ?? '#8c564b'}"><title>${esc(t)}: ${Math.round(v)} msgs/s</title></rect>`);
      out.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(base - h - 4).toFixed(1)}" text-anchor="middle" font-size="9">${v >= 10_000 ? `${(v / 1000).toFixed(0)}k` : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : Math.round(v)}</text>`);
    });
    out.push(`<text x="${x0 + inner / 2}" y="${base + 18}" text-anchor="middle" font-weight="bold">${esc(c)}</text>`);
  });
  targets.forEach((t, ti) => {
    const x = left + 20 + ti * 150;
    const y = top + panelH + 50;
    out.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${COLORS[t] ?? '#8c564b'}"/><text x="${x + 18}" y="${y}">${esc(t)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
