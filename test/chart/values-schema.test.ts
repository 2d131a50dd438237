// values.schema.json (draft-07) accepts the chart's default values and every
// ci/*-values.yaml variant merged over them, and rejects broken values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { chartDir, ciValuesFiles, mergedValues, variants } from './chart-harness.js';

const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

function errorsOf(values: unknown): string {
  return validate(values) ? '' : JSON.stringify(validate.errors, null, 1);
}

test('the schema is draft-07', () => {
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
});

test('there are at least three ci values variants', () => {
  assert.ok(ciValuesFiles().length >= 3, `found ${ciValuesFiles().length}`);
});

for (const [label, files] of variants()) {
  test(`values of ${label} pass the schema`, () => {
    assert.equal(errorsOf(mergedValues(files)), '');
  });
}

test('schema-invalid values are rejected', () => {
  const base = mergedValues([]);
  const broken: Array<[string, (v: Record<string, any>) => void, string]> = [
    ['unknown sidecar mode', (v) => (v.realmgate.sidecarMode = 'sidecar'), 'sidecarMode'],
    ['misspelt top-level key', (v) => (v.replicas = 2), 'additionalProperties'],
    ['string port', (v) => (v.service.port = '80'), 'service/port'],
    ['config without readiness', (v) => delete v.realmgate.config.readiness, 'readiness'],
    ['key mounted neither as file nor env', (v) => (v.realmgate.masterKey.mountAs = 'volume'), 'mountAs'],
    ['negative grace period', (v) => (v.terminationGracePeriodSeconds = -1), 'terminationGracePeriodSeconds'],
  ];
  for (const [what, mutate, where] of broken) {
    const v = structuredClone(base) as Record<string, any>;
    mutate(v);
    const errs = errorsOf(v);
    assert.notEqual(errs, '', `${what} was accepted`);
    assert.match(errs, new RegExp(where), what);
  }
});
