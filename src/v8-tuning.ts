/**
 * V8 settings realmgate needs, applied when this module is evaluated: main.ts imports it first,
 * so they hold before any other module allocates.
 *
 * `--no-allocation-site-pretenuring`: V8 marks an allocation site "tenured" when the objects it
 * made all survived a scavenge, and from then on allocates them straight in the old generation.
 * Under connection churn that misfires: a session's objects that happened to be alive at one
 * scavenge get their sites tenured; every later session's objects from those sites are then
 * born old, dead old objects keep the young objects they point to alive through every scavenge,
 * those sites see 100 % survival and are tenured too (`--trace-pretenuring-statistics`: 11 sites
 * at ratio 1.0, one object per session each). The gate then copied 36 % of its young generation at
 * every scavenge (15-20 ms on the main thread + 30 ms on helpers, `--trace-gc-nvp`) and filled the
 * old generation with garbage for mark-compacts; a bare Node forwarder copies 8-13 %. Without
 * pretenuring it is 8-10 % (4-5 ms). Long-lived objects (held clients) are promoted as usual after
 * surviving two scavenges.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-allocation-site-pretenuring');
