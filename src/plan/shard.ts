// Sharded runs: which part of the load this copy runs (--shard I/N, LOADHTTP_SHARD, or Kubernetes'
// JOB_COMPLETION_INDEX with --shards N), the run id every shard shares, and when to start (--start-at).
// Pure: the environment and the clock are passed in.
import { createHash } from 'node:crypto';
import { parseDuration } from '../util/duration.ts';
import { UsageError } from '../util/errors.ts';
import type { Plan } from './types.ts';
import { summarizePlan } from './summary.ts';
import type { RunResult } from '../result/result.ts';
import { checkSplittable, planPart } from './split.ts';

export interface ShardFlags {
  shard?: string;
  shards?: string;
  runId?: string;
  startAt?: string;
}

export interface ShardSetup {
  /** This copy's part (0-based index of count); null when the run is not sharded. */
  shard: { index: number; count: number } | null;
  /** Explicit run id (flag or env); null: derive it from the plan (see runIdFor). */
  runId: string | null;
  /** Wall-clock time to begin at (absolute: an ISO time, the same for every shard; else +DURATION); null: at once. */
  startAt: { at: Date; absolute: boolean } | null;
}

/** The sharding options from flags and environment; every bad value is a UsageError naming its source. */
export function shardSetup(flags: ShardFlags, env: NodeJS.ProcessEnv, now: Date): ShardSetup {
  return {
    shard: shardOf(flags, env),
    runId: runIdOf(flags.runId ?? env.LOADHTTP_RUN_ID, flags.runId !== undefined ? '--run-id' : 'LOADHTTP_RUN_ID'),
    startAt: flags.startAt === undefined ? null : { at: parseStartAt(flags.startAt, now), absolute: !flags.startAt.startsWith('+') },
  };
}

function shardOf(flags: ShardFlags, env: NodeJS.ProcessEnv): ShardSetup['shard'] {
  if (flags.shard !== undefined) {
    if (flags.shards !== undefined) throw new UsageError('--shard I/N already gives the shard count: drop --shards');
    return parseShard(flags.shard, '--shard');
  }
  if (flags.shards !== undefined) {
    const count = wholeNumber(flags.shards, '--shards', 1);
    const index = env.JOB_COMPLETION_INDEX;
    if (index === undefined || index === '') {
      throw new UsageError('--shards N takes this copy\'s index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), which is not set: use --shard I/N');
    }
    return checked(wholeNumber(index, 'JOB_COMPLETION_INDEX', 0), count, 'JOB_COMPLETION_INDEX');
  }
  if (env.LOADHTTP_SHARD !== undefined && env.LOADHTTP_SHARD !== '') return parseShard(env.LOADHTTP_SHARD, 'LOADHTTP_SHARD');
  return null;
}

/** "I/N": shard I (0-based, as Kubernetes' JOB_COMPLETION_INDEX) of N. */
export function parseShard(text: string, label: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`${label}: "${text}" is not I/N (shard I of N, I from 0 to N-1, e.g. 0/4)`);
  return checked(Number(m[1]), wholeNumber(m[2]!, label, 1), label);
}

function checked(index: number, count: number, label: string): { index: number; count: number } {
  if (index >= count) throw new UsageError(`${label}: shard ${index} of ${count} does not exist (shards are numbered 0 to ${count - 1})`);
  return { index, count };
}

function wholeNumber(text: string, label: string, min: number): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < min) throw new UsageError(`${label}: "${text}" is not a whole number >= ${min}`);
  return Number(text);
}

function runIdOf(text: string | undefined, label: string): string | null {
  if (text === undefined || text === '') return null;
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(text)) throw new UsageError(`${label}: "${text}" is not a run id (letters, digits, . _ : -; at most 128)`);
  return text;
}

/** "2026-01-01T12:00:00Z" (an ISO time with a zone) or "+30s" (from now). */
export function parseStartAt(text: string, now: Date): Date {
  if (text.startsWith('+')) {
    const ms = parseDuration(text.slice(1), 's');
    if (ms === undefined) throw new UsageError(`--start-at: "${text}" is not +DURATION (e.g. +30s)`);
    return new Date(now.getTime() + ms);
  }
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  const at = Date.parse(text);
  if (!iso.test(text.trim()) || Number.isNaN(at)) {
    throw new UsageError(`--start-at: "${text}" is not an ISO time with a zone (e.g. 2026-01-01T12:00:00Z) or +DURATION (e.g. +30s)`);
  }
  return new Date(at);
}

/**
 * A digest of the whole resolved plan: shards of the same scenario and settings agree on it. Files enter
 * by their contents, never their paths (`./s.yaml`, `s.yaml` and `/abs/s.yaml` are the same run): the
 * scenario path and the TLS file paths are left out of the summary, the PEM contents and the request
 * bodies (the summary has only their sizes) are hashed instead. The client key stays out: the
 * certificate already names the client.
 */
export function planDigest(plan: Plan): string {
  const { source: _path, tls: _files, ...summary } = summarizePlan(plan);
  const { insecure, servername, ca, cert } = plan.tls;
  const hash = createHash('sha256').update(JSON.stringify({ ...summary, tls: { insecure, servername, ca, cert } }));
  for (const request of plan.requests) hash.update(`\0${request.body?.length ?? -1}\0`).update(request.body ?? '');
  return hash.digest('hex').slice(0, 16);
}

/**
 * The run id when none is given: the plan's digest, and the start time when it is an absolute one, so
 * every shard started with the same scenario and --start-at agrees on it without talking to the others.
 * (+30s is relative to each shard's own clock, so it cannot enter the id: give --run-id to tell runs apart.)
 */
export function runIdFor(digest: string, startAt: ShardSetup['startAt']): string {
  if (startAt === null || !startAt.absolute) return digest;
  return createHash('sha256').update(`${digest}@${startAt.at.toISOString()}`).digest('hex').slice(0, 16);
}

/** This copy's part of the plan and the tags its result carries (run id, plan digest, shard, start time). */
export function shardedPlan(plan: Plan, setup: ShardSetup): { plan: Plan; tags: Partial<RunResult> } {
  const digest = planDigest(plan);
  const tags: Partial<RunResult> = { runId: setup.runId ?? runIdFor(digest, setup.startAt), planDigest: digest };
  if (setup.startAt) tags.startAt = setup.startAt.at.toISOString();
  if (setup.shard === null) return { plan, tags };
  const { index, count } = setup.shard;
  checkSplittable(plan, count, '--shards');
  tags.shard = { index, count };
  return { plan: planPart(plan, index, count), tags };
}
