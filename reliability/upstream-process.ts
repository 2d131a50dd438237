import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = join(import.meta.dirname, 'upstream-main.ts');

/** A simulated proxy transport running in a child process (see upstream-main.ts). */
export interface UpstreamProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Ends the process (closing its stdin); idempotent. */
  stop(): void;
}

/** Starts the upstream with routes for `realms` and waits until it listens. */
export async function startUpstreamProcess(realms: readonly string[] = ['realm1']): Promise<UpstreamProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, realms.join(',')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`upstream exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (l) => resolve((JSON.parse(l) as { port: number }).port));
  });
  return {
    child, port, url: `http://127.0.0.1:${port}`,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.stdin!.end();
    },
  };
}
