import type { GateContext } from './gate-context.js';
import type { HelloHandler } from './upgrade-gate.js';

/** Placeholder until the HELLO peek lands: such upgrades are gated as an unknown realm. */
export function createHelloPeek(_ctx: GateContext): HelloHandler | undefined {
  return undefined;
}
