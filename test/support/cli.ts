import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = new URL('../..', import.meta.url).pathname;
/** src/main.ts, run through tsx: the real CLI without a build. */
export const main = join(repoRoot, 'src/main.ts');

/** Runs `node --import tsx ARGS` (a script and its arguments); never throws on a non-zero exit. */
export function runTsx(args: string[], env: Record<string, string | undefined> = {}, cwd = repoRoot): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', ...args], { cwd, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
