// Sharded runs on the real CLI: N processes with --shard I/N against one server, begun together with
// --start-at, merged by `loadhttp merge`; the merge equals the server's count and the union of the shards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../src/result/result.ts';
import { UsageError } from '../src/util/errors.ts';
import { parseStartAt, runIdFor, shardSetup } from '../src/plan/shard.ts';
import { runCli } from './helpers/cli.ts';
import { startServer } from './helpers/servers.ts';
import { assertExactUnion } from './helpers/union.ts';

const read = (file: string): RunResult => JSON.parse(readFileSync(file, 'utf8')) as RunResult;

test('2 shards begun together merge into exactly the server count and exactly the union of their histograms', async () => {
  const server = await startServer({ delayMs: 50 });
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-shards-'));
  try {
    const startAt = new Date(Date.now() + 1500).toISOString();
    const load = ['--url', server.url, '-c', '6', '-n', '121', '-q', '--threshold', 'p50<5s'];
    const shards = await Promise.all(
      [0, 1].map((i) => runCli(['run', ...load, '--shard', `${i}/2`, '--start-at', startAt, '--json', path.join(dir, `shard-${i}.json`)])),
    );
    for (const shard of shards) assert.equal(shard.code, 0, shard.stderr);
    const results = [0, 1].map((i) => read(path.join(dir, `shard-${i}.json`)));
    assert.deepEqual(results.map((r) => r.counts.sent), [61, 60], 'the remainder goes to shard 0');
    assert.deepEqual(results.map((r) => r.shard), [0, 1].map((index) => ({ index, count: 2 })));
    assert.equal(new Set(results.map((r) => r.runId)).size, 1, 'the shards agree on the run id without talking');
    for (const r of results) {
      assert.equal(r.startAt, startAt);
      assert.ok(Date.parse(r.startedAt) >= Date.parse(startAt) - 20, `waited for the start time (started ${r.startedAt})`);
      assert.deepEqual(r.thresholds, [], 'a shard leaves the verdict to the merge');
    }
    assert.equal(server.stats.requests, 121);

    const files = results.map((_, i) => path.join(dir, `shard-${i}.json`));
    const merge = await runCli(['merge', ...files, '--json', path.join(dir, 'total.json')]);
    assert.equal(merge.code, 0, merge.stderr);
    assert.match(merge.stdout, /^merged 2 of 2 shards of run [0-9a-f]+; the shards started \d+ ms apart/);
    assert.match(merge.stdout, /Thresholds: the one threshold passed/);
    const total = read(path.join(dir, 'total.json'));
    assert.equal(total.counts.sent, server.stats.requests);
    assert.equal(total.counts.completed, 121);
    assert.equal(total.statusCodes['200'], 121);
    assert.equal(total.plan.concurrency, 6, 'the plan adds back up');
    assert.equal(total.plan.iterations, 121);
    assert.ok(total.merged!.startSkewMs >= 0 && total.merged!.startSkewMs < 1500);

    // The merge is the union of the shards' own histograms: exactly what one histogram fed their values reports.
    assertExactUnion(total, results);
    assert.equal(total.latencyMs.count, 121);
    assert.ok(total.latencyMs.p50 >= 50, 'a 50 ms server');

    const partial = await runCli(['merge', files[1]!]);
    assert.equal(partial.code, 3, 'a missing shard is not a complete result');
    assert.match(partial.stdout, /INCOMPLETE: missing shard 0 of 2/);
    assert.match(partial.stderr, /shard 0 of 2 missing/);
    assert.equal((await runCli(['merge', files[1]!, '--partial'])).code, 0);
  } finally {
    await server.close();
  }
});

test('merge refuses shards of different runs (exit 2) unless --force; --shard is checked before anything is sent', async () => {
  const server = await startServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-shards-'));
  try {
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    const base = ['run', '--url', server.url, '-c', '2', '-n', '20', '-q'];
    assert.equal((await runCli([...base, '--shard', '0/2', '--run-id', 'one', '--json', a])).code, 0);
    assert.equal((await runCli([...base, '--shard', '1/2', '--json', b], { env: { LOADHTTP_RUN_ID: 'two' } })).code, 0);
    const refused = await runCli(['merge', a, b]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /different run ids: .*a\.json has one, .*b\.json has two/);
    const forced = await runCli(['merge', a, b, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /FORCED: merged as one union/);

    const before = server.stats.requests;
    for (const [args, env, message] of [
      [['--shard', '2/2'], {}, /shard 2 of 2 does not exist \(shards are numbered 0 to 1\)/],
      [['--shard', '0/4', '-c', '2'], {}, /--shards 4: 2 virtual users cannot give every part one/],
      [['--shards', '2'], {}, /JOB_COMPLETION_INDEX/],
    ] as const) {
      const r = await runCli([...base, ...args], { env });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(server.stats.requests, before, 'nothing sent');
    const k8s = await runCli([...base, '--shards', '2', '--json', '-'], { env: { JOB_COMPLETION_INDEX: '1' } });
    assert.equal(k8s.code, 0, k8s.stderr);
    assert.deepEqual((JSON.parse(k8s.stdout) as RunResult).shard, { index: 1, count: 2 });
  } finally {
    await server.close();
  }
});

test('shard options: flags, LOADHTTP_SHARD, JOB_COMPLETION_INDEX; start times; run ids that shards agree on', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const usage = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof UsageError && pattern.test(e.message));
  assert.deepEqual(shardSetup({ shard: '1/4' }, {}, now).shard, { index: 1, count: 4 });
  assert.deepEqual(shardSetup({}, { LOADHTTP_SHARD: '3/4' }, now).shard, { index: 3, count: 4 });
  assert.deepEqual(shardSetup({ shards: '4' }, { JOB_COMPLETION_INDEX: '2' }, now).shard, { index: 2, count: 4 });
  assert.equal(shardSetup({}, {}, now).shard, null);
  usage(() => shardSetup({}, { LOADHTTP_SHARD: 'x' }, now), /LOADHTTP_SHARD: "x" is not I\/N/);
  usage(() => shardSetup({ shard: '0/2', shards: '2' }, {}, now), /drop --shards/);
  usage(() => shardSetup({ shards: '2' }, { JOB_COMPLETION_INDEX: '2' }, now), /JOB_COMPLETION_INDEX: shard 2 of 2 does not exist/);
  usage(() => shardSetup({ runId: 'a b' }, {}, now), /--run-id: "a b" is not a run id/);
  assert.equal(shardSetup({}, { LOADHTTP_RUN_ID: 'nightly-42' }, now).runId, 'nightly-42');
  assert.equal(parseStartAt('+30s', now).toISOString(), '2026-01-01T12:00:30.000Z');
  assert.equal(parseStartAt('2026-01-01T13:00:00+01:00', now).toISOString(), '2026-01-01T12:00:00.000Z');
  usage(() => parseStartAt('tomorrow', now), /--start-at: "tomorrow" is not an ISO time/);
  usage(() => parseStartAt('2026-01-01T12:00:00', now), /with a zone/);
  const at = (text: string) => shardSetup({ startAt: text }, {}, now).startAt;
  assert.equal(runIdFor('d', at('2026-01-02T00:00:00Z')), runIdFor('d', at('2026-01-02T00:00:00Z')));
  assert.notEqual(runIdFor('d', at('2026-01-02T00:00:00Z')), runIdFor('d', at('2026-01-03T00:00:00Z')));
  assert.equal(runIdFor('d', at('+30s')), 'd', 'a relative start is each shard\'s own: it cannot enter the id');
});

test('a shard that measured nothing: merge names it as failed and exits 3; --force merges the rest and says it is missing', async () => {
  const server = await startServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-shards-'));
  const [a, b] = [path.join(dir, 'shard-0.json'), path.join(dir, 'shard-1.json')];
  const shardRun = (i: number, file: string) => runCli(['run', '--url', server.url, '-c', '2', '-n', '20', '-q', '--shard', `${i}/2`, '--run-id', 'r1', '--json', file]);
  try {
    assert.equal((await shardRun(0, a)).code, 0);
  } finally {
    await server.close();
  }
  // The same plan, its target gone: shard 1 measures nothing (exit 3) and its --json says why.
  const down = await shardRun(1, b);
  assert.equal(down.code, 3, down.stderr);
  assert.equal(read(b).error?.class, 'connect-refused');

  const merge = await runCli(['merge', a, b, '--json', path.join(dir, 'total.json')]);
  assert.equal(merge.code, 3, merge.stderr);
  assert.match(merge.stderr, /a shard measured nothing:\n {2}- shard 1\/2 \(.*shard-1\.json\): connect-refused: [^\n]+\nthe figures would be incomplete \(--force merges the rest\)/);
  const forced = await runCli(['merge', a, b, '--force', '--json', path.join(dir, 'total.json')]);
  assert.equal(forced.code, 3, 'the failed shard is missing: incomplete without --partial');
  assert.match(forced.stdout, /^merged 1 of 2 shards of run r1;.*\nFAILED: shard 1\/2 \(.*shard-1\.json\): connect-refused: .*: left out\nINCOMPLETE: missing shard 1 of 2/);
  const total = read(path.join(dir, 'total.json'));
  assert.equal(total.counts.completed, 10, 'shard 0 alone');
  assert.deepEqual(total.merged!.missing, [1]);
  assert.equal(total.merged!.failed![0]!.error.class, 'connect-refused');
  assert.equal((await runCli(['merge', a, b, '--force', '--partial'])).code, 0);
});

test('shards started with ./s.yaml, s.yaml and an absolute path from elsewhere are one run: the digest is of the resolved plan', async () => {
  const server = await startServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-shards-'));
  const elsewhere = mkdtempSync(path.join(tmpdir(), 'loadhttp-elsewhere-'));
  writeFileSync(path.join(dir, 'body.txt'), 'abcd');
  writeFileSync(path.join(dir, 's.yaml'), `target: ${server.url}\nload: { concurrency: 3, iterations: 30 }\nrequests:\n  - { name: post, method: POST, path: /, file: ./body.txt }\n`);
  try {
    const files = [0, 1, 2].map((i) => path.join(dir, `shard-${i}.json`));
    const runs = [
      ['./s.yaml', dir],
      ['s.yaml', dir],
      [path.join(dir, 's.yaml'), elsewhere],
    ] as const;
    for (const [i, [scenario, cwd]] of runs.entries()) {
      const r = await runCli(['run', scenario, '-q', '--shard', `${i}/3`, '--json', files[i]!], { cwd });
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(new Set(files.map((f) => read(f).planDigest)).size, 1, 'one plan digest');
    assert.equal(new Set(files.map((f) => read(f).runId)).size, 1, 'so one default run id');
    const merge = await runCli(['merge', ...files]);
    assert.equal(merge.code, 0, merge.stderr);
    assert.match(merge.stdout, /^merged 3 of 3 shards/);

    // What the files hold counts: the same path with another body of the same length is another plan.
    writeFileSync(path.join(dir, 'body.txt'), 'wxyz');
    const other = path.join(dir, 'other.json');
    assert.equal((await runCli(['run', './s.yaml', '-q', '--shard', '0/3', '--json', other], { cwd: dir })).code, 0);
    assert.notEqual(read(other).planDigest, read(files[0]!).planDigest);
  } finally {
    await server.close();
  }
});

test('an abortOnFail threshold on a shard judges that shard\'s figures, stops it alone, and its report says so', async () => {
  const server = await startServer({ delayMs: 20 });
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-shards-'));
  const scenario = path.join(dir, 's.yaml');
  writeFileSync(
    scenario,
    `target: ${server.url}\nload: { concurrency: 2, duration: 20s }\nthresholds:\n  - { expr: p99 < 1ms, abortOnFail: true }\n  - errors < 1%\n`,
  );
  try {
    const started = Date.now();
    const r = await runCli(['run', scenario, '--shard', '0/2', '--json', path.join(dir, 'shard-0.json')]);
    assert.equal(r.code, 99, r.stderr);
    assert.ok(Date.now() - started < 15_000, 'stopped long before its 20 s');
    assert.match(r.stdout, /Thresholds: judged by `loadhttp merge` on the 2 shards together, not on this shard/);
    assert.match(r.stdout, /abortOnFail \(p99 < 1ms\): judged on this shard's own figures during the run; a failure stops this shard only/);
    assert.match(r.stdout, /stopped early after [^:]+: p99 < 1ms failed on this shard's figures \(measured [\d.]+ ?ms; abortOnFail\)/);
    const result = read(path.join(dir, 'shard-0.json'));
    assert.equal(result.stopReason, 'threshold');
    assert.deepEqual(result.thresholds, [], 'the verdict on the whole run is still the merge\'s');
  } finally {
    await server.close();
  }
});
