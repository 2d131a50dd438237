import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactedPath } from '../../src/access-log.js';

test('access log path: no query string, no fragment, no credentials of an absolute-form target, bounded length', () => {
  assert.equal(redactedPath('/ws?realm=r&ticket=SECRET'), '/ws');
  assert.equal(redactedPath('/ws#frag'), '/ws');
  assert.equal(redactedPath('http://user:SECRET@host:80/ws?x=1'), '/ws');
  assert.equal(redactedPath('http://host'), '/');
  assert.equal(redactedPath(undefined), undefined);
  assert.equal(redactedPath(`/${'a'.repeat(1000)}`)!.length, 257);
});
