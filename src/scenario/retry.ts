// The `retry:` section (top level, or per request): how many attempts, the backoff, and which methods,
// failure classes and statuses are retried. Defaults are filled by plan/retry.ts.
import { RETRY_CLASSES, type FailureClass } from '../result/failure-classes.ts';
import type { ScenarioRetry } from './types.ts';
import { type Ctx, type Field, asSeq, deref, describe, duration, fail, fields, int, str } from './nodes.ts';
import { hint } from './suggest.ts';
import { isToken } from '../util/field-value.ts';

const RETRY_KEYS = ['attempts', 'backoff', 'methods', 'on', 'statuses'];
const BACKOFF_KEYS = ['base', 'max', 'jitter'];
const JITTER = ['full', 'none'];

export function readRetry(ctx: Ctx, field: Field): ScenarioRetry {
  const f = fields(ctx, field.value, field.path, RETRY_KEYS);
  const retry: ScenarioRetry = {};
  const attempts = f.get('attempts');
  if (attempts) retry.attempts = int(ctx, attempts.value, attempts.path, 1);
  const backoff = f.get('backoff');
  if (backoff) {
    const b = fields(ctx, backoff.value, backoff.path, BACKOFF_KEYS);
    const base = b.get('base');
    const max = b.get('max');
    const jitter = b.get('jitter');
    if (base) retry.baseMs = duration(ctx, base.value, base.path, false);
    if (max) retry.maxMs = duration(ctx, max.value, max.path, false);
    if (jitter) {
      const text = str(ctx, jitter.value, jitter.path);
      if (!JITTER.includes(text)) fail(ctx, jitter.value, jitter.path, `expected full or none, got ${describe(deref(ctx, jitter.value, jitter.path))}`);
      retry.jitter = text as 'full' | 'none';
    }
    if (retry.baseMs !== undefined && retry.maxMs !== undefined && retry.baseMs > retry.maxMs) {
      fail(ctx, base!.value, base!.path, `base (${retry.baseMs}ms) is greater than max (${retry.maxMs}ms); base must be <= max`);
    }
  }
  const methods = f.get('methods');
  if (methods) {
    retry.methods = list(ctx, methods, 'a list of methods, e.g. [GET, POST]', (text, node, path) => {
      const method = text.trim().toUpperCase();
      if (!isToken(method)) fail(ctx, node, path, `${JSON.stringify(text)} is not an HTTP method`);
      return method;
    });
  }
  const on = f.get('on');
  if (on) {
    retry.on = list(ctx, on, `a list of failure classes (${RETRY_CLASSES.join(', ')})`, (text, node, path) => {
      if (!(RETRY_CLASSES as readonly string[]).includes(text)) {
        fail(ctx, node, path, `unknown failure class ${JSON.stringify(text)}; ${hint(text, RETRY_CLASSES)}`);
      }
      return text as FailureClass;
    });
  }
  const statuses = f.get('statuses');
  if (statuses) {
    const seq = asSeq(ctx, statuses.value, statuses.path, 'a list of HTTP statuses, e.g. [502, 503]');
    retry.statuses = seq.items.map((item, i) => {
      const status = int(ctx, item, `${statuses.path}[${i}]`, 100);
      if (status > 599) fail(ctx, item, `${statuses.path}[${i}]`, `expected an HTTP status code (100..599), got ${status}`);
      return status;
    });
  }
  return retry;
}

function list<T>(ctx: Ctx, field: Field, expected: string, read: (text: string, node: unknown, path: string) => T): T[] {
  const seq = asSeq(ctx, field.value, field.path, expected);
  return seq.items.map((item, i) => {
    const path = `${field.path}[${i}]`;
    return read(str(ctx, item, path), deref(ctx, item, path), path);
  });
}
