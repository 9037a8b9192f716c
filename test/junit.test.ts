import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResult, spread } from './helpers/build-result.ts';
import { flowTargetsResult } from './helpers/flow-targets-result.ts';
import type { RunResult } from '../src/result/result.ts';
import { renderJunit } from '../src/report/junit.ts';
import { compareResults } from '../src/judge/compare.ts';
import { evaluateThresholds } from '../src/judge/thresholds.ts';
import { parseThreshold } from '../src/plan/threshold-grammar.ts';
import type { ThresholdOutcome } from '../src/result/verdicts.ts';


// --- a tiny strict XML reader: enough to prove well-formedness and read the structure back ---
interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string, where: string): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) throw new Error(`bare & in ${where}: ${s}`);
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    const v = ENTITIES[ref];
    if (v === undefined) throw new Error(`unknown entity &${ref};`);
    return v;
  });
}

function parseXml(xml: string): XmlElement {
  // XML 1.0 Char production: no C0 controls except tab, LF, CR.
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(xml)) throw new Error('invalid XML character');
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml);
  if (!decl) throw new Error('missing XML declaration');
  let i = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const NAME = /^[A-Za-z_][\w.-]*/;
  while (i < xml.length) {
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(xml.slice(i));
      if (!m) throw new Error(`bad end tag at ${i}`);
      const open = stack.pop();
      if (!open || open.name !== m[1]) throw new Error(`mismatched </${m[1]}> at ${i}`);
      i += m[0].length;
    } else if (xml[i] === '<') {
      i++;
      const nm = NAME.exec(xml.slice(i));
      if (!nm) throw new Error(`bad tag name at ${i}`);
      const el: XmlElement = { name: nm[0], attrs: {}, children: [], text: '' };
      i += nm[0].length;
      for (;;) {
        const ws = /^\s*/.exec(xml.slice(i))?.[0] ?? '';
        i += ws.length;
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        if (ws === '') throw new Error(`missing space before attribute at ${i}`);
        const am = /^([A-Za-z_][\w.:-]*)="([^"<]*)"/.exec(xml.slice(i));
        if (!am || am[1] === undefined || am[2] === undefined) throw new Error(`bad attribute at ${i}: ${xml.slice(i, i + 40)}`);
        if (Object.hasOwn(el.attrs, am[1])) throw new Error(`duplicate attribute ${am[1]}`);
        el.attrs[am[1]] = decodeEntities(am[2], `attribute ${am[1]}`);
        i += am[0].length;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw new Error('more than one root element');
      else root = el;
      if (xml.startsWith('/>', i)) i += 2;
      else {
        i += 1;
        stack.push(el);
      }
    } else {
      const end = xml.indexOf('<', i);
      const raw = xml.slice(i, end < 0 ? xml.length : end);
      const parent = stack[stack.length - 1];
      if (!parent) {
        if (raw.trim() !== '') throw new Error(`text outside the root: ${raw}`);
      } else {
        if (raw.includes(']]>')) throw new Error(']]> in text');
        parent.text += decodeEntities(raw, `<${parent.name}> text`);
      }
      i = end < 0 ? xml.length : end;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

const kids = (el: XmlElement | undefined, name: string): XmlElement[] => (el ? el.children.filter((c) => c.name === name) : []);

function evaluate(result: RunResult, ...exprs: string[]): ThresholdOutcome[] {
  return evaluateThresholds(result, exprs.map((source) => ({ spec: parseThreshold(source), source })));
}

function sample(name = 'checkout'): RunResult {
  return buildResult(
    {
      list: { latenciesUs: spread(2000, 1000, 400_000), statusCodes: { '200': 1990, '500': 10 } },
      'get<&"item">': { latenciesUs: spread(500, 500, 5000) },
    },
    { name },
  );
}

test('the reader itself rejects malformed XML', () => {
  const ok = '<?xml version="1.0" encoding="UTF-8"?>\n';
  assert.throws(() => parseXml(`${ok}<a><b></a></b>`));
  assert.throws(() => parseXml(`${ok}<a x="1 & 2"/>`));
  assert.throws(() => parseXml(`${ok}<a>1 < 2</a>`));
  assert.throws(() => parseXml(`${ok}<a x="1" x="2"/>`));
  assert.throws(() => parseXml(`${ok}<a/><b/>`));
  assert.throws(() => parseXml(`${ok}<a>\u0001</a>`));
  assert.throws(() => parseXml('<a/>'));
  assert.equal(parseXml(`${ok}<a x="&lt;&amp;&quot;"><b/>t&gt;</a>`).attrs.x, '<&"');
});

test('one testsuite with a testcase per threshold, counts and failure messages', () => {
  const result = sample();
  const outcomes = evaluate(result, 'list.p99 < 250ms', 'p50 < 1s', 'list.5xx < 0.1%', 'missing.p99 < 1s');
  const xml = renderJunit(result, outcomes);
  const root = parseXml(xml);
  assert.equal(root.name, 'testsuites');
  assert.equal(root.attrs.tests, '4');
  assert.equal(root.attrs.failures, '3');
  const suites = kids(root, 'testsuite');
  assert.equal(suites.length, 1);
  const suite = suites[0];
  assert.ok(suite);
  assert.equal(suite.attrs.name, 'loadhttp: checkout');
  assert.equal(suite.attrs.tests, '4');
  assert.equal(suite.attrs.failures, '3');
  assert.equal(suite.attrs.errors, '0');
  assert.equal(suite.attrs.time, '10.000');
  assert.match(suite.attrs.timestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.equal(suite.attrs.timestamp, '2025-01-02T03:04:05');

  const cases = kids(suite, 'testcase');
  assert.deepEqual(cases.map((c) => c.attrs.name), ['list.p99 < 250ms', 'p50 < 1s', 'list.5xx < 0.1%', 'missing.p99 < 1s']);
  for (const c of cases) {
    assert.equal(c.attrs.classname, 'loadhttp.thresholds');
    assert.equal(c.attrs.time, '0');
  }
  const failure = (i: number): XmlElement | undefined => kids(cases[i], 'failure')[0];
  assert.match(failure(0)?.attrs.message ?? '', /^measured 39\d\.\dms, limit < 250ms$/);
  assert.equal(failure(0)?.attrs.type, 'threshold');
  assert.match(failure(0)?.text ?? '', /p99 of request "list"/);
  assert.equal(failure(1), undefined, 'p50 < 1s passed');
  assert.equal(failure(2)?.attrs.message, 'measured 0.50%, limit < 0.1%');
  assert.equal(failure(3)?.attrs.message, 'no request named "missing", limit < 1s');

  const out = kids(suite, 'system-out')[0];
  assert.ok(out);
  assert.match(out.text, /target: http:\/\/127\.0\.0\.1:8080/);
  assert.match(out.text, /protocol: HTTP\/1\.1/);
  assert.match(out.text, /2,500 sent, 2,500 completed, 0 failed, 0 cancelled/);
  assert.match(out.text, /p50 [\d.]+ms, p99 [\d.]+ms/);
});

test('names, expressions and messages are escaped (& < > " \' and control characters)', () => {
  const result = sample('a & b <c> "d" \'e\'\u001b[31m');
  result.error = { class: 'connect-refused', message: 'nope <&> "quoted"\u0000' };
  const outcomes = evaluate(result, 'p99 < 1s', 'p99 > 1s');
  // An expression as written in a scenario file, with characters XML cares about.
  const weird: ThresholdOutcome = { ...outcomes[1]!, expr: `p99 > 1s <&"'>\ttab` };
  const xml = renderJunit(result, [outcomes[0]!, weird]);
  assert.ok(!xml.includes('<c>'));
  const root = parseXml(xml);
  const suite = kids(root, 'testsuite')[0];
  assert.equal(suite?.attrs.name, 'loadhttp: a & b <c> "d" \'e\'\\x1b[31m');
  const names = kids(suite, 'testcase').map((c) => c.attrs.name);
  assert.deepEqual(names, ['p99 < 1s', `p99 > 1s <&"'>\ttab`]);
  const out = kids(suite, 'system-out')[0];
  assert.match(out?.text ?? '', /run error: connect-refused: nope <&> "quoted"\\x00/);
});

test('document shape: declaration, properties before testcases, system-out last', () => {
  const result = sample();
  const xml = renderJunit(result, evaluate(result, 'p99 < 1ms'));
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites '));
  assert.ok(xml.endsWith('</testsuites>\n'));
  const suite = kids(parseXml(xml), 'testsuite')[0];
  assert.deepEqual(suite?.children.map((c) => c.name), ['properties', 'testcase', 'system-out']);
  const props = Object.fromEntries(kids(kids(suite, 'properties')[0], 'property').map((p) => [p.attrs.name, p.attrs.value]));
  assert.equal(props.target, 'http://127.0.0.1:8080');
  assert.equal(props.protocol, 'h1');
  assert.equal(props.concurrency, '4');
});

test('no thresholds: a single "run completed" testcase that fails on a run error or 100% errors', () => {
  const good = parseXml(renderJunit(sample(), []));
  const goodSuite = kids(good, 'testsuite')[0];
  const goodCases = kids(goodSuite, 'testcase');
  assert.equal(goodCases.length, 1);
  assert.equal(goodCases[0]?.attrs.name, 'run completed');
  assert.equal(kids(goodCases[0], 'failure').length, 0);
  assert.equal(goodSuite?.attrs.failures, '0');
  assert.equal(goodSuite?.attrs.tests, '1');

  const errored = buildResult({ only: { latenciesUs: [] } }, { error: { class: 'connect-refused', message: 'ECONNREFUSED 127.0.0.1:8080' } });
  const errSuite = kids(parseXml(renderJunit(errored, [])), 'testsuite')[0];
  assert.equal(errSuite?.attrs.failures, '1');
  const f = kids(kids(errSuite, 'testcase')[0], 'failure')[0];
  assert.equal(f?.attrs.message, 'connect-refused: ECONNREFUSED 127.0.0.1:8080');

  const allFailed = buildResult({ only: { latenciesUs: [], failed: 7 } });
  assert.equal(allFailed.errorRate, 1);
  const afSuite = kids(parseXml(renderJunit(allFailed, [])), 'testsuite')[0];
  assert.equal(afSuite?.attrs.failures, '1');
  assert.match(kids(kids(afSuite, 'testcase')[0], 'failure')[0]?.attrs.message ?? '', /every request failed/);
});

test('with --baseline: one testcase per compared figure, failing only where the run regressed', () => {
  const base = buildResult({ list: { latenciesUs: spread(2000, 10_000, 30_000) } });
  // 2× slower: P50/P90/P99 regress; req/s and errors unchanged; max informational.
  const current = buildResult({ list: { latenciesUs: spread(2000, 20_000, 60_000) } });
  const comparison = compareResults(base, current, { maxRegression: 0.1 });
  const result: RunResult = { ...current, baseline: { file: 'perf/base.json', comparison } };
  const outcomes = evaluate(result, 'p99 < 1s');
  const suite = kids(parseXml(renderJunit(result, outcomes)), 'testsuite')[0]!;
  const cases = kids(suite, 'testcase');
  const compared = cases.filter((c) => c.attrs.classname === 'loadhttp.baseline');
  const rows = comparison.scopes.flatMap((s) => s.rows);
  assert.equal(compared.length, rows.length, 'one per compared figure (the total and request "list")');
  assert.equal(suite.attrs.tests, String(1 + rows.length));
  const names = compared.map((c) => c.attrs.name);
  for (const name of ['p50 of all requests', 'p99 of all requests', 'req/s of all requests', 'errors of all requests', 'max of all requests', 'p99 of request "list"']) {
    assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  }
  const failed = compared.filter((c) => kids(c, 'failure').length > 0).map((c) => c.attrs.name);
  assert.deepEqual(failed.sort(), ['p50 of all requests', 'p50 of request "list"', 'p90 of all requests', 'p90 of request "list"', 'p99 of all requests', 'p99 of request "list"']);
  assert.equal(suite.attrs.failures, '6', 'the threshold passed; six regressions');
  const p99 = kids(compared.find((c) => c.attrs.name === 'p99 of all requests'), 'failure')[0]!;
  assert.equal(p99.attrs.type, 'baseline');
  assert.match(p99.attrs.message ?? '', /^regressed against the baseline: base 29\.\d+ms, current 59\.\d+ms \(\+100%\)$/);
  assert.match(p99.text, /baseline: perf\/base\.json/);

  const same = compareResults(base, base, { maxRegression: 0.1 });
  const ok = kids(parseXml(renderJunit({ ...base, baseline: { file: 'b.json', comparison: same } }, [])), 'testsuite')[0]!;
  assert.equal(ok.attrs.failures, '0');
  assert.equal(kids(ok, 'testcase').filter((c) => c.attrs.classname === 'loadhttp.baseline').length, rows.length);
});

test('a target[...] threshold is a testcase per instance, the failing one named; iterations and instances in system-out', () => {
  const result = flowTargetsResult();
  const outcome = (expr: string, metric: string, actual: number, passed: boolean): ThresholdOutcome => ({ expr, metric, request: null, op: '<', limit: 30, actual, passed, unit: 'ms' });
  const star = outcome('target[*].p99 < 30ms', 'p99', 40, false);
  const one = outcome('target[10.9.0.1:8080].p99 < 30ms', 'p99', 2, true);
  const iteration = outcome('iteration.p99 < 30ms', 'iteration.p99', 250, false);
  const xml = renderJunit(result, [star, one, iteration], [
    [
      { instance: '10.9.0.1:8080', outcome: outcome(star.expr, 'p99', 2, true) },
      { instance: '[::1]:8080', outcome: outcome(star.expr, 'p99', 40, false) },
    ],
    [{ instance: '10.9.0.1:8080', outcome: one }],
    null,
  ]);
  const suite = kids(parseXml(xml), 'testsuite')[0]!;
  assert.equal(suite.attrs.tests, '4');
  assert.equal(suite.attrs.failures, '2');
  const cases = xml.split('\n').filter((l) => l.includes('<testcase') || l.includes('<failure'));
  assert.deepEqual(cases, [
    '    <testcase classname="loadhttp.thresholds" name="target[*].p99 &lt; 30ms (target 10.9.0.1:8080)" time="0"></testcase>',
    '    <testcase classname="loadhttp.thresholds" name="target[*].p99 &lt; 30ms (target [::1]:8080)" time="0">',
    '      <failure message="measured 40.0ms, limit &lt; 30ms" type="threshold">target[*].p99 &lt; 30ms',
    '    <testcase classname="loadhttp.thresholds" name="target[10.9.0.1:8080].p99 &lt; 30ms" time="0"></testcase>',
    '    <testcase classname="loadhttp.thresholds" name="iteration.p99 &lt; 30ms" time="0">',
    '      <failure message="measured 250.0ms, limit &lt; 30ms" type="threshold">iteration.p99 &lt; 30ms',
  ]);
  assert.ok(xml.includes('p99 of target [::1]:8080: measured 40.0ms, limit &lt; 30ms</failure>'), xml);
  assert.ok(xml.includes("p99 of the flow's iterations: measured 250.0ms, limit &lt; 30ms</failure>"), xml);
  const out = kids(suite, 'system-out')[0]!.text;
  assert.ok(
    out.endsWith(`iterations: 95 completed, 5 failed, 2 interrupted; 9.5/s
iteration duration: p50 100.0ms, p99 250.0ms, max 310.0ms
target 10.9.0.1:8080: 60 sent, 6.0 req/s, errors 0%, latency p50 1.50ms, p99 2.00ms, max 3.00ms
target [::1]:8080: 40 sent, 3.6 req/s, errors 10.0%, latency p50 2.50ms, p99 40.0ms, max 41.0ms`),
    out,
  );
  // Per-instance outcomes that disagree with the threshold's own (not this result's) are not used.
  const single = renderJunit(result, [star], [[{ instance: '10.9.0.1:8080', outcome: outcome(star.expr, 'p99', 2, true) }]]);
  assert.match(single, /name="target\[\*\]\.p99 &lt; 30ms" time="0">\n\s+<failure/);
});
