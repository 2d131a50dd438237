// Preloaded into a gate process by test/perf/*.test.ts (NODE_OPTIONS=--import=...): counts the
// process's garbage collections by kind and prints them as one NDJSON line on SIGUSR2.
import { PerformanceObserver, constants } from 'node:perf_hooks';

const counts = { minor: 0, major: 0, incremental: 0, weakcb: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = e.detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.major++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.minor++;
    else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) counts.incremental++;
    else counts.weakcb++;
  }
}).observe({ entryTypes: ['gc'] });
// GC entries are delivered asynchronously: report after the ones already queued.
process.on('SIGUSR2', () => setTimeout(() => process.stdout.write(`${JSON.stringify({ msg: 'gc counts', ...counts })}\n`), 20));
