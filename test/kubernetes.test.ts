// The Kubernetes manifests in scenarios/kubernetes/ parse as YAML and have what an Indexed Job of
// loadhttp shards needs; the scenario in the ConfigMap is a valid loadhttp scenario; and the Job's own
// script, run as real shard processes whose stdout and stderr share one stream (as `kubectl logs` shows
// them), gives logs from which the extraction line in docs/scale-out.md makes files that `loadhttp merge` accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { buildPlan } from '../src/plan/plan.ts';
import type { RunResult } from '../src/result/result.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { BIN, runCli } from './helpers/cli.ts';
import { startServer } from './helpers/servers.ts';

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
  // The JSON goes to a file, printed between the markers only after loadhttp has exited (see the test below).
  assert.match(script, /loadhttp run [^\n]*--json \/tmp\/result\.json 2>&1\n[\s\S]*--- loadhttp result begin ---[\s\S]*cat \/tmp\/result\.json[\s\S]*--- loadhttp result end ---/);
  // A locally built image (kind load docker-image, or pushed) is used as it is, not pulled as :latest.
  assert.equal(pod.containers[0].imagePullPolicy, 'IfNotPresent');
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

/** The pipeline docs/scale-out.md runs on `kubectl logs "$pod"` to get a shard's JSON (the text between the pipe and the redirect). */
function docsExtraction(): string {
  const readme = readFileSync(fileURLToPath(new URL('../docs/scale-out.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('## Sharded runs on Kubernetes'));
  const m = /^ *kubectl logs "\$pod" \| (.+) > "shard-\$i\.json"$/m.exec(section);
  assert.ok(m, 'docs/scale-out.md collects each pod\'s JSON with: kubectl logs "$pod" | ... > "shard-$i.json"');
  return m[1]!;
}

/** Runs `sh -c script` with stdout and stderr on ONE file descriptor (a container's log, as kubectl logs shows it). */
function runInterleaved(script: string, env: NodeJS.ProcessEnv, log: string): Promise<number | null> {
  const fd = openSync(log, 'w');
  const child = spawn('sh', ['-c', script], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve(code);
    });
  });
}

test('the Job\'s script and the collection in docs/scale-out.md give shard files that `loadhttp merge` accepts, from the mixed stdout+stderr', async () => {
  const { doc: job } = manifests().find(({ doc }) => doc.kind === 'Job')!;
  const container = job.spec.template.spec.containers[0];
  const script: string = container.command.at(-1);
  const count: number = job.spec.completions;
  const mountPath: string = container.volumeMounts.find((m: Doc) => m.readOnly).mountPath;
  assert.ok(script.includes(`${mountPath}/scenario.yaml`) && script.includes('/tmp/result.json'));
  const server = await startServer({ delayMs: 5 });
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-k8s-'));
  try {
    // The pod's world in folders: the ConfigMap's mount, a /tmp per pod, and `loadhttp` on the PATH.
    const scenarioDir = path.join(dir, 'scenario');
    const bin = path.join(dir, 'bin');
    for (const d of [scenarioDir, bin]) mkdirSync(d);
    // Thresholds, so the logs hold the whole report; one request name with a space and quotes, as real ones may.
    writeFileSync(
      path.join(scenarioDir, 'scenario.yaml'),
      `name: k8s\ntarget: ${server.url}\nload: { concurrency: ${count * 2}, iterations: ${count * 25} }\nrequests:\n  - { name: 'list "all"', path: /items }\nthresholds:\n  - p99 < 5s\n`,
    );
    writeFileSync(path.join(bin, 'loadhttp'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, { mode: 0o755 });
    const startAt = new Date(Date.now() + 3000).toISOString().replace(/\.\d+Z$/, 'Z');
    const pods = Array.from({ length: count }, (_, i) => {
      const tmp = path.join(dir, `pod-${i}`);
      mkdirSync(tmp);
      const podScript = script.replaceAll(`${mountPath}/`, `${scenarioDir}/`).replaceAll('/tmp/result.json', `${tmp}/result.json`);
      const env = { PATH: `${bin}:${process.env.PATH}`, JOB_COMPLETION_INDEX: String(i), LOADHTTP_START_AT: startAt, LOADHTTP_RUN_ID: 'job-uid-1' };
      return runInterleaved(podScript, env, path.join(dir, `pod-${i}.log`));
    });
    assert.deepEqual(await Promise.all(pods), Array(count).fill(0), 'every pod succeeded');
    assert.equal(server.stats.requests, count * 25);

    const extraction = docsExtraction();
    const shardFiles: string[] = [];
    for (let i = 0; i < count; i++) {
      const log = readFileSync(path.join(dir, `pod-${i}.log`), 'utf8');
      // The log really is the mixed stream: the report (stdout), the start-at wait (stderr), then the JSON.
      // (On a busy machine a pod may start after the start time: then it says so instead of waiting.)
      assert.match(log, /^loadhttp: (waiting [^\n]* to start at|the start time [^\n]* passed)/m, `pod ${i}: stderr in the log`);
      assert.match(log, /Latency \(request sent/, `pod ${i}: the report in the log`);
      assert.ok(log.indexOf('Latency (request sent') < log.indexOf('--- loadhttp result begin ---'), 'the report comes before the JSON');
      const file = path.join(dir, `shard-${i}.json`);
      const extracted = await runInterleaved(`${extraction} < '${path.join(dir, `pod-${i}.log`)}' > '${file}'`, {}, path.join(dir, `extract-${i}.log`));
      assert.equal(extracted, 0);
      const result = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
      assert.deepEqual(result.shard, { index: i, count });
      shardFiles.push(file);
    }
    const merge = await runCli(['merge', ...shardFiles, '--json', path.join(dir, 'total.json')]);
    assert.equal(merge.code, 0, merge.stderr);
    assert.match(merge.stdout, new RegExp(`^merged ${count} of ${count} shards of run job-uid-1`));
    const total = JSON.parse(readFileSync(path.join(dir, 'total.json'), 'utf8')) as RunResult;
    assert.equal(total.counts.completed, server.stats.requests, 'every request of every pod');
    assert.equal(total.thresholdsPassed, true);
  } finally {
    await server.close();
  }
});
