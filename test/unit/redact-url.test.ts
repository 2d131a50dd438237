import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactText, redactUrl } from '../../src/redact.js';

test('redactUrl hides userinfo, query values and fragments, and leaves plain URLs as they are', () => {
  assert.equal(redactUrl('http://127.0.0.1:8081'), 'http://127.0.0.1:8081');
  assert.equal(redactUrl('http://u:p@h:1/x'), 'http://[redacted]@h:1/x');
  assert.equal(redactUrl('https://tok@h/x'), 'https://[redacted]@h/x');
  assert.equal(redactUrl('ws://h/ws?token=abc&realm=r1'), 'ws://h/ws?token=[redacted]&realm=[redacted]');
  assert.equal(redactUrl('/ws?ticket=abc'), '/ws?ticket=[redacted]');
  assert.equal(redactUrl('/ws?3f9a0c'), '/ws?[redacted]');
  assert.equal(redactUrl('http://h/cb#access_token=abc'), 'http://h/cb#[redacted]');
  assert.equal(redactUrl('http://[::1]:9/p?a=1'), 'http://[::1]:9/p?a=[redacted]');
  assert.equal(redactUrl('http://u:p@exa mple/?t=1'), 'http://[redacted]@exa mple/?[redacted]', 'unparseable: cut conservatively');
});

test('redactText redacts every URL inside free text', () => {
  assert.equal(redactText('GET http://u:p@cp/realms?token=t failed: ECONNREFUSED'), 'GET http://[redacted]@cp/realms?token=[redacted] failed: ECONNREFUSED');
  assert.equal(redactText('master "ws://m/ws?k=v" unreachable'), 'master "ws://m/ws?k=[redacted]" unreachable');
  assert.equal(redactText('no url here'), 'no url here');
});
