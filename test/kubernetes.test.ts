// The Kubernetes manifests in scenarios/kubernetes/ parse as YAML and have what an Indexed Job of
// loadhttp shards needs; the scenario in the ConfigMap is a valid loadhttp scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { buildPlan } from '../src/plan/plan.ts';
import { parseScenario } from '../src/scenario/load.ts';

const DIR = fileURLToPath(new URL('../scenarios/kubernetes/', import.meta.url));
type Doc = Record<string, any>;

function manifests(): Array<{ file: string; doc: Doc }> {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .flatMap((file) => {
      const docs = parseAllDocuments(readFileSync(path.join(DIR, file), 'utf8'));
      return (Array.isArray(docs) ? docs : [docs]).map((d) => {
        assert.deepEqual(d.errors, [], `${file} parses`);
        return { file, doc: d.toJS() as Doc };
      });
    });
}

test('every manifest parses and names its apiVersion, kind and metadata.name', () => {
  const all = manifests();
  assert.ok(all.length >= 2);
  for (const { file, doc } of all) {
    for (const key of ['apiVersion', 'kind']) assert.equal(typeof doc[key], 'string', `${file}: ${key}`);
    assert.equal(typeof doc.metadata?.name, 'string', `${file}: metadata.name`);
  }
});

test('the Job is an Indexed Job running all N shards at once, never retried', () => {
  const jobs = manifests().filter(({ doc }) => doc.kind === 'Job');
  assert.equal(jobs.length, 1);
  const { doc: job } = jobs[0]!;
  assert.equal(job.apiVersion, 'batch/v1');
  assert.equal(job.spec.completionMode, 'Indexed');
  assert.ok(Number.isInteger(job.spec.completions) && job.spec.completions > 1);
  assert.equal(job.spec.parallelism, job.spec.completions, 'completions == parallelism: all shards at once');
  assert.equal(job.spec.backoffLimit, 0);
  const pod = job.spec.template.spec;
  assert.equal(pod.restartPolicy, 'Never');
  assert.ok(pod.containers.length >= 1);
  for (const c of pod.containers) {
    assert.equal(typeof c.name, 'string');
    assert.equal(typeof c.image, 'string');
    assert.ok(Array.isArray(c.command) && c.command.length > 0);
  }
  const script = pod.containers[0].command.join(' ');
  assert.match(script, new RegExp(`--shards ${job.spec.completions}\\b`), '--shards N matches completions');
  assert.match(script, /--json -/);
  assert.match(script, /--- loadhttp result begin ---[\s\S]*--- loadhttp result end ---/);
  // The scenario volume comes from the ConfigMap in this folder, at the path the command reads.
  const volume = pod.volumes.find((v: Doc) => v.configMap);
  const mount = pod.containers[0].volumeMounts.find((m: Doc) => m.name === volume.name);
  const configMap = manifests().find(({ doc }) => doc.kind === 'ConfigMap' && doc.metadata.name === volume.configMap.name);
  assert.ok(configMap, 'the ConfigMap the Job mounts is in the folder');
  const [key] = Object.keys(configMap.doc.data);
  assert.ok(script.includes(`${mount.mountPath}/${key}`), `the command reads ${mount.mountPath}/${key}`);
});

test('the ConfigMap holds a valid scenario that splits into the Job\'s shards', () => {
  const { doc } = manifests().find(({ doc }) => doc.kind === 'ConfigMap')!;
  assert.equal(doc.apiVersion, 'v1');
  const text = doc.data['scenario.yaml'];
  assert.equal(typeof text, 'string');
  const plan = buildPlan(parseScenario(text, 'scenario.yaml'), {}, 't');
  assert.ok(plan.requests.length > 0);
});
