import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDemo } from '../../src/demo/run.js';

const VERDICT = /^direct: (\d+) of (\d+) refused \(no_such_realm\) · through realmgate: (\d+) of (\d+) refused, max wait (\d+\.\d) s$/m;

for (const serializer of ['json', 'msgpack', 'cbor']) {
  test(`demo (${serializer}): direct clients are refused, none through realmgate; exit code 0`, async () => {
    let out = '';
    const code = await runDemo({ clients: 6, durationMs: 3000, serializer, write: (s) => (out += s) });
    assert.equal(code, 0, out);
    const m = VERDICT.exec(out);
    assert.ok(m, `a verdict line in:\n${out}`);
    const [, directRefused, directOf, gatedRefused, gatedOf, maxWait] = m;
    assert.equal(Number(directOf), 6);
    assert.equal(Number(gatedOf), 6);
    assert.equal(Number(gatedRefused), 0, out);
    assert.ok(Number(directRefused) > 0, `some direct clients refused:\n${out}`);
    assert.ok(Number(maxWait) > 0, 'gated clients were held');
    assert.equal(out.trimEnd().split('\n').at(-1), m[0], 'the verdict is the last line');

    // The timeline, in order: both workers routed, then the gate calls the realm ready.
    const lines = out.split('\n');
    const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const w0 = at(/route for "realm1" started on proxy worker cpw-9fbe067c-0/);
    const w1 = at(/route for "realm1" started on proxy worker cpw-9fbe067c-1/);
    const ready = at(/realmgate: realm "realm1" ready/);
    assert.ok(w0 >= 0 && w1 > w0 && ready > w1, `routes on worker 0, then 1, then ready:\n${out}`);
    assert.equal(lines.filter((l) => /^t\+ *\d+\.\d s  #\d+ /.test(l)).length, 6, 'one line per pair');
  });
}
