// Secrets never leak: a token from the environment (in Authorization and in a path) and a header named in
// `redact:` appear in no output — table, JSON, JUnit, Markdown, GitHub annotations, banner and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { redactDeep, headerSecrets, MASK } from '../src/util/redact.ts';
import { buildPlan } from '../src/plan/plan.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { runCli } from './helpers/cli.ts';
import { startRawServer } from './helpers/raw-server.ts';

const TOKEN = 'tok3n-5ecret-from-env';
const API_KEY = 'literal-api-key-42';

test('a run with an env token and a redacted header, with failures: the secrets appear in no output', async () => {
  const seen: string[] = [];
  const server = await startRawServer((socket, n) => {
    if (n % 2 === 0) return void socket.destroy();
    socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'loadhttp-redact-'));
  const file = path.join(dir, 'secret.yaml');
  writeFileSync(
    file,
    [
      `target: ${server.url}`,
      'redact: [x-api-key]',
      'headers:',
      '  authorization: Bearer ${API_TOKEN}',
      `  x-api-key: ${API_KEY}`,
      'requests:',
      '  - path: /items?key=${API_TOKEN}',
      '    retry: { attempts: 2, backoff: { base: 1ms } }',
      '  - { name: fails, path: "/x/${API_TOKEN}" }',
      'thresholds: ["errors<1%"]',
    ].join('\n'),
  );
  const out = (name: string) => path.join(dir, name);
  try {
    const run = await runCli(
      ['run', file, '-n', '30', '-c', '1', '--json', out('r.json'), '--junit', out('j.xml'), '--summary', out('s.md')],
      { env: { API_TOKEN: TOKEN, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: out('step.md') } },
    );
    assert.equal(run.code, 99, run.stderr);
    const outputs: Record<string, string> = { stdout: run.stdout, stderr: run.stderr };
    for (const name of ['r.json', 'j.xml', 's.md', 'step.md']) outputs[name] = readFileSync(out(name), 'utf8');
    for (const [name, text] of Object.entries(outputs)) {
      assert.ok(!text.includes(TOKEN), `${name} contains the env token`);
      assert.ok(!text.includes(API_KEY), `${name} contains the redacted header value`);
      seen.push(name);
    }
    const json = JSON.parse(outputs['r.json']!);
    assert.ok(json.counts.failed > 0, 'the run had failures');
    assert.ok(Object.keys(json.requests).some((name: string) => name.includes(MASK)), 'the request name is masked, not dropped');
    assert.match(outputs.stdout!, /::error/, 'annotations were written');
  } finally {
    await server.close();
  }
  assert.equal(seen.length, 6);
});

test('error examples and messages are masked like everything else in the result', () => {
  const scenario = parseScenario('target: http://127.0.0.1:1\nredact: [X-Api-Key]\nheaders: { authorization: "Bearer abcd1234", x-api-key: k-999 }\n', 's.yaml');
  const plan = buildPlan(scenario, {}, 'test');
  assert.deepEqual(plan.secrets, ['Bearer abcd1234', 'abcd1234', 'k-999']);
  const result = redactDeep({ errorExamples: { other: ['GET /?t=abcd1234 failed with k-999'] }, histograms: { latency: 'abcd1234' } }, plan.secrets);
  assert.deepEqual(result, { errorExamples: { other: [`GET /?t=${MASK} failed with ${MASK}`] }, histograms: { latency: 'abcd1234' } });
  assert.deepEqual(headerSecrets(['cookie', 'a=b'], ['cookie']), ['a=b']);
});
