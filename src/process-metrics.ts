import { collectDefaultMetrics, type Gauge, type Registry } from 'prom-client';

/**
 * prom-client's Node/process metrics under their usual names (`process_*`, `nodejs_*`, no
 * prefix), so stock Node.js dashboards match, with two corrections so `promtool check metrics`
 * passes and the first scrape holds no nonsense:
 *
 * - `nodejs_active_{handles,requests,resources}_total` are gauges with a counter's `_total`
 *   suffix (promtool rejects them); they are dropped: `sum(nodejs_active_handles)` is the same
 *   number, by type.
 * - The event-loop gauges are read from a histogram that prom-client resets at every scrape; a
 *   scrape with no sample since the last one (the first scrape right after start, two scrapes
 *   within 10 ms) would publish min 9223372036.85 s and a NaN mean/stddev. Such an empty reading
 *   is skipped, so the gauges keep their last real values (0 before the first).
 */
export function registerProcessMetrics(registry: Registry, opts: { prefix?: string } = {}): void {
  const prefix = opts.prefix ?? '';
  collectDefaultMetrics({ register: registry, prefix });
  for (const kind of ['handles', 'requests', 'resources']) registry.removeSingleMetric(`${prefix}nodejs_active_${kind}_total`);

  const gauge = (name: string) => registry.getSingleMetric(`${prefix}nodejs_eventloop_lag_${name}_seconds`) as Gauge | undefined;
  const min = gauge('min');
  if (min === undefined) return; // no perf_hooks histogram on this runtime: nothing to correct
  // prom-client sets min first, then the others, from one histogram reading per scrape.
  let empty = false;
  const guard = (g: Gauge | undefined, isEmpty?: (v: number) => boolean): void => {
    if (g === undefined) return;
    const set = g.set.bind(g) as (labels: object, value: number) => void;
    g.set = ((labels: object, value: number) => {
      if (isEmpty) empty = isEmpty(value);
      if (!empty && Number.isFinite(value)) set(labels, value);
    }) as Gauge['set'];
  };
  // An empty histogram's min is 2^63-1 ns; no real event-loop delay is anywhere near 10^9 s.
  guard(min, (v) => !Number.isFinite(v) || v > 1e9);
  for (const name of ['max', 'mean', 'stddev', 'p50', 'p90', 'p99']) guard(gauge(name));
}
