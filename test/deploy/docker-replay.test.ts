// The Dockerfile's steps, replayed without a Docker engine by
// scripts/docker-replay.sh: build context per .dockerignore, `npm ci` + build,
// a runtime dir with production dependencies and dist/ only, and the image's
// entry point answering --version and check-config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = new URL('../..', import.meta.url).pathname;

test('the Dockerfile steps replay: clean build, production-only runtime, entry point works', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'realmgate-docker-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const child = spawn('bash', [join(repoRoot, 'scripts/docker-replay.sh'), work], { cwd: repoRoot });
  t.after(() => child.kill());
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `docker-replay failed:\n${stderr}`);
  const m = /docker-replay: ok context_kb=(\d+) runtime_kb=(\d+)/.exec(stdout);
  assert.ok(m, stdout);
  t.diagnostic(`build context ${m[1]} KiB, runtime app dir ${m[2]} KiB`);
});
