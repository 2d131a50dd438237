// docs/configuration.md documents exactly the keys of src/config/schema.ts: a key added to the
// schema without a row (or a row left for a removed key) fails here, listing every such key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configSchema } from '../../src/config/schema.js';
import { schemaKeys } from '../support/schema-keys.js';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** The first cell of each table row whose first cell is one `code` span: the documented keys. */
function documentedKeys(markdown: string): string[] {
  return [...markdown.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

test('every schema key has a row in docs/configuration.md, and every row is a schema key', () => {
  const inSchema = schemaKeys(configSchema);
  const inDoc = documentedKeys(doc);
  assert.ok(inSchema.length > 50, `the schema walk found keys (${inSchema.length})`);
  const undocumented = inSchema.filter((k) => !inDoc.includes(k));
  const stale = inDoc.filter((k) => !inSchema.includes(k));
  const problems = [
    undocumented.length > 0 ? `keys in src/config/schema.ts without a row in docs/configuration.md (add type, default, meaning):\n  ${undocumented.join('\n  ')}` : '',
    stale.length > 0 ? `rows in docs/configuration.md for keys the schema does not have:\n  ${stale.join('\n  ')}` : '',
  ].filter(Boolean);
  assert.equal(problems.length, 0, problems.join('\n'));
  const dupes = inDoc.filter((k, i) => inDoc.indexOf(k) !== i);
  assert.deepEqual(dupes, [], 'each key documented once');
});

test('each row gives a type, a default and a meaning', () => {
  for (const row of doc.split('\n').filter((l) => /^\| `[^`]+` \|/.test(l))) {
    const cells = row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 4, `four cells: ${row}`);
    assert.ok(cells.every((c) => c.length > 0), `no empty cell: ${row}`);
  }
});
