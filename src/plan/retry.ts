// Retry policies, resolved once per planned request: the request's `retry:` over the scenario's, field by
// field, with defaults filled. A request whose method is not in `methods` gets no policy (null), so the
// engine's hot path for it is the plain send.
import type { FailureClass } from '../result/failure-classes.ts';
import type { ScenarioRetry } from '../scenario/types.ts';

export interface RetryPolicy {
  /** Tries in all, the first included (>= 2 here: 1 means no policy). */
  attempts: number;
  /** Backoff before retry k (1-based): min(maxMs, baseMs × 2^(k-1)), times a uniform [0, 1) with full jitter. */
  baseMs: number;
  maxMs: number;
  jitter: 'full' | 'none';
  methods: string[];
  on: FailureClass[];
  statuses: number[];
}

export const RETRY_DEFAULTS = {
  baseMs: 100,
  maxMs: 2000,
  jitter: 'full' as const,
  /** Idempotent methods (RFC 9110 §9.2.2): a retry cannot do twice what the server did once. */
  methods: ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'],
  /** Transient failures: the request may well succeed on another connection or a moment later. */
  on: ['connect-refused', 'connect-timeout', 'connection-reset', 'timeout', 'goaway', 'stream-reset'] as FailureClass[],
};

export function resolveRetry(method: string, scenario: ScenarioRetry | undefined, request: ScenarioRetry | undefined): RetryPolicy | null {
  if (scenario === undefined && request === undefined) return null;
  const given = { ...scenario, ...request };
  const attempts = given.attempts ?? 1;
  const methods = given.methods ?? RETRY_DEFAULTS.methods;
  if (attempts < 2 || !methods.includes(method)) return null;
  const baseMs = given.baseMs ?? RETRY_DEFAULTS.baseMs;
  return {
    attempts,
    baseMs,
    maxMs: Math.max(given.maxMs ?? RETRY_DEFAULTS.maxMs, baseMs),
    jitter: given.jitter ?? RETRY_DEFAULTS.jitter,
    methods: [...methods],
    on: [...(given.on ?? RETRY_DEFAULTS.on)],
    statuses: [...(given.statuses ?? [])],
  };
}

/** The wait before retry `retry` (1 = the first retry), in ms. */
export function backoffMs(policy: RetryPolicy, retry: number, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return policy.jitter === 'full' ? ceiling * random : ceiling;
}
