// Preloaded into a gate process by test/perf/session-gc-survival.test.ts (NODE_OPTIONS=--import=...):
// V8 prints one name=value line per GC (--trace-gc-nvp) on stdout, and SIGUSR2 runs a full
// mark-compact (then prints `full-gc-done`), so a test can start from the state every long-running
// gate reaches. Every other V8 setting is the gate's own (src/v8-tuning.ts, imported first by main.ts).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--trace-gc-nvp');
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
process.on('SIGUSR2', () => {
  gc();
  process.stdout.write('full-gc-done\n');
});
