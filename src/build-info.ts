import { readFileSync } from 'node:fs';

export interface BuildInfo {
  version: string;
  node: string;
}

/**
 * The package version and the Node version, for `realmgate_build_info`, /status and the start line.
 * Read from package.json next to src/ or dist/ (both sit one level below it); "unknown" if it is
 * missing, since a version label must never stop the gate.
 */
export function readBuildInfo(): BuildInfo {
  let version = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') version = pkg.version;
  } catch {
    // keep "unknown"
  }
  return { version, node: process.versions.node };
}
