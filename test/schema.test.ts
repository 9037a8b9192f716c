// The JSON Schema shipped for editors (schema/scenario.schema.json): a real validator (ajv, draft-07, the
// draft the YAML language server implements) accepts every example scenario, which all point at it; and
// the schema knows exactly the keys the scenario loader accepts, map by map, so the two cannot drift.
// The loader's keys are read from its own "unknown key ...; accepted: a, b, c" message, not copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { RETRY_CLASSES } from '../src/result/failure-classes.ts';
import { parseHar } from '../src/scenario/import/har.ts';
import { toScenario } from '../src/scenario/import/to-scenario.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { ScenarioError } from '../src/util/errors.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA_FILE = path.join(ROOT, 'schema', 'scenario.schema.json');
const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as SchemaNode;
// strictRequired off: `required` inside anyOf/not names properties declared beside it, which it cannot see.
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);

interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  enum?: unknown[];
  definitions?: Record<string, SchemaNode>;
}

function schemaErrors(data: unknown): string {
  return validate(data) ? '' : JSON.stringify(validate.errors, null, 2);
}

const EXAMPLES = fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));

test('every example scenario names the schema in a modeline and validates against it', () => {
  assert.ok(EXAMPLES.length >= 5, EXAMPLES.join(', '));
  for (const name of EXAMPLES) {
    const file = path.join(ROOT, 'scenarios', name);
    const text = fs.readFileSync(file, 'utf8');
    const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
    assert.ok(modeline, `${name} has no yaml-language-server modeline`);
    assert.equal(path.resolve(path.dirname(file), modeline[1]!), SCHEMA_FILE, `${name}: the modeline points elsewhere`);
    assert.equal(schemaErrors(parse(text)), '', name);
  }
});

test('the scenario of the Kubernetes ConfigMap and an imported HAR recording validate against the schema', () => {
  const configMap = parseAllDocuments(fs.readFileSync(path.join(ROOT, 'scenarios', 'kubernetes', 'configmap.yaml'), 'utf8'))[0]!.toJS() as {
    data: Record<string, string>;
  };
  assert.equal(schemaErrors(parse(configMap.data['scenario.yaml']!)), '');
  const har = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'recording.har'), 'utf8');
  assert.equal(schemaErrors(parse(toScenario(parseHar(har, 'recording.har')).text)), '');
});

test('the schema refuses what the loader refuses: unknown keys, wrong types, two bodies', () => {
  const refused = [
    { target: 'http://127.0.0.1:8080', lod: { concurrency: 1 } },
    { load: { concurrency: 0 } },
    { load: { duration: '30 seconds' } },
    { protocol: 'h3' },
    { requests: [{ name: 'no-path' }] },
    { requests: [{ path: '/', json: {}, body: 'x' }] },
    { requests: [{ path: '/', expect: { status: [700] } }] },
    { retry: { on: ['timeout', 'timeouts'] } },
    { thresholds: [{ abortOnFail: true }] },
    { requests: [{ name: 'f', flow: [] }] },
    { requests: [{ flow: [{ path: '/' }] }] },
    { requests: [{ name: 'f', path: '/', flow: [{ path: '/' }] }] },
    { requests: [{ name: 'f', method: 'POST', flow: [{ path: '/' }] }] },
    { requests: [{ name: 'f', flow: [{ path: '/', weight: 2 }] }] },
    { requests: [{ path: '/' }], flow: [{ path: '/' }] },
    { targets: ['http://10.0.0.1:8080', 'https://10.0.0.2:8443'] },
    { target: 'http://svc:8080', resolve: 'every' },
  ];
  for (const data of refused) assert.notEqual(schemaErrors(data), '', JSON.stringify(data));
  assert.equal(schemaErrors({ load: { concurrency: '${VUS}', duration: '${D}' }, requests: [{ path: '/', file: './x.bin' }] }), '');
  assert.equal(schemaErrors({ requests: [{ path: '/' }, { name: 'f', weight: 2, flow: [{ path: '/', capture: [{ json: '$.t', as: 't' }] }] }] }), '');
  assert.equal(schemaErrors({ targets: ['https://10.0.0.1:8443', 'https://10.0.0.2:8443'], resolve: 'all', balance: 'random' }), '');
  assert.equal(schemaErrors({ targets: ['http://10.0.0.1:8080', '${SECOND}'] }), '');
});

/** An unknown key put in each map the loader reads (YAML with PROBE where it goes), by schema location. */
const PROBE = 'zq_probe_key';
const PROBES: Record<string, string> = {
  '': `${PROBE}: 1`,
  tls: `tls: { ${PROBE}: 1 }`,
  load: `load: { ${PROBE}: 1 }`,
  'load.think': `load: { think: { ${PROBE}: 1 } }`,
  'load.stages[]': `load: { stages: [{ ${PROBE}: 1 }] }`,
  pool: `pool: { ${PROBE}: 1 }`,
  timeouts: `timeouts: { ${PROBE}: 1 }`,
  'requests[]': `requests: [{ ${PROBE}: 1 }]`,
  'requests[].expect': `requests: [{ path: /, expect: { ${PROBE}: 1 } }]`,
  'requests[].retry': `requests: [{ path: /, retry: { ${PROBE}: 1 } }]`,
  'requests[].retry.backoff': `requests: [{ path: /, retry: { backoff: { ${PROBE}: 1 } } }]`,
  'thresholds[]': `thresholds: [{ ${PROBE}: 1 }]`,
  retry: `retry: { ${PROBE}: 1 }`,
  data: `data: { ${PROBE}: 1 }`,
  'flow[]': `flow: [{ ${PROBE}: 1 }]`,
  'flow[].expect': `flow: [{ path: /, expect: { ${PROBE}: 1 } }]`,
  'flow[].retry': `flow: [{ path: /, retry: { ${PROBE}: 1 } }]`,
  'flow[].retry.backoff': `flow: [{ path: /, retry: { backoff: { ${PROBE}: 1 } } }]`,
  'flow[].capture[]': `flow: [{ path: /, capture: [{ ${PROBE}: 1 }] }]`,
  'flow[].think': `flow: [{ path: /, think: { ${PROBE}: 1 } }]`,
  'requests[].flow[]': `requests: [{ name: f, flow: [{ ${PROBE}: 1 }] }]`,
  'requests[].flow[].expect': `requests: [{ name: f, flow: [{ path: /, expect: { ${PROBE}: 1 } }] }]`,
  'requests[].flow[].retry': `requests: [{ name: f, flow: [{ path: /, retry: { ${PROBE}: 1 } }] }]`,
  'requests[].flow[].retry.backoff': `requests: [{ name: f, flow: [{ path: /, retry: { backoff: { ${PROBE}: 1 } } }] }]`,
  'requests[].flow[].capture[]': `requests: [{ name: f, flow: [{ path: /, capture: [{ ${PROBE}: 1 }] }] }]`,
  'requests[].flow[].think': `requests: [{ name: f, flow: [{ path: /, think: { ${PROBE}: 1 } }] }]`,
  'retry.backoff': `retry: { backoff: { ${PROBE}: 1 } }`,
  metrics: `metrics: { ${PROBE}: 1 }`,
};

/** The keys the loader accepts where the probe stands, from its message. */
function loaderKeys(yaml: string): string[] {
  try {
    parseScenario(yaml, '/probe.yaml', {});
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    const accepted = new RegExp(`unknown key \`${PROBE}\`; accepted: (.+)$`).exec(error.message);
    assert.ok(accepted, `not an unknown-key error: ${error.message}`);
    return accepted[1]!.split(', ').sort();
  }
  return assert.fail(`the loader accepted ${yaml}`);
}

/** Every place in the schema that lists the keys of a map, by location ("requests[].expect"), following $refs. */
function schemaMaps(node: SchemaNode, at: string, out: Map<string, string[]>, seen: string[] = []): Map<string, string[]> {
  if (node.$ref !== undefined) {
    if (seen.includes(`${node.$ref}@${at}`)) return out;
    const target = schema.definitions![node.$ref.replace('#/definitions/', '')]!;
    return schemaMaps(target, at, out, [...seen, `${node.$ref}@${at}`]);
  }
  if (node.properties) {
    out.set(at, Object.keys(node.properties).sort());
    for (const [key, child] of Object.entries(node.properties)) schemaMaps(child, at === '' ? key : `${at}.${key}`, out, seen);
  }
  if (node.items) schemaMaps(node.items, `${at}[]`, out, seen);
  for (const branch of node.anyOf ?? []) schemaMaps(branch, at, out, seen);
  return out;
}

test('the schema has exactly the keys the scenario loader accepts, in every map', () => {
  const maps = schemaMaps(schema, '', new Map());
  // Every map of the schema is probed: a new section (or flow step) in the schema needs a probe here.
  assert.deepEqual([...maps.keys()].sort(), Object.keys(PROBES).sort(), 'a map in the schema without a probe here, or a probe without a map');
  for (const [at, yaml] of Object.entries(PROBES)) {
    assert.deepEqual(maps.get(at), loaderKeys(yaml), `keys at ${at || 'the top level'}: schema vs loader`);
  }
  // Enumerated values too, where the loader's list is importable.
  const on = schema.definitions!.retry!.properties!.on!.items!.enum;
  assert.deepEqual(on, [...RETRY_CLASSES]);
});
