// Preloaded into a gate process by test/perf/session-gc-survival.test.ts (NODE_OPTIONS=--import=...):
// V8 prints one name=value line per GC (--trace-gc-nvp) on stdout. Only tracing is turned on here;
// every other V8 setting is the gate's own (src/v8-tuning.ts, imported first by main.ts).
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--trace-gc-nvp');
