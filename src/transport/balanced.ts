// Several targets (instances of one service), each behind its own transport and pool, as one Transport:
// each request goes to the instance the balance picks (round-robin, random, or the one with the fewest
// requests in flight), and each settled request is reported per instance to a sink, so results can show
// an unhealthy instance apart. Only a plan with several targets uses it.
import { performance } from 'node:perf_hooks';
import type { Balance } from '../scenario/types.ts';
import type { PreparedRequest, SendCallback, SendOutcome, Transport, TransportStats } from './transport.ts';

/** Where per-target outcomes go (the recorder current when the request was sent). */
export interface TargetSink {
  targetSettled(target: number, sentAt: number, outcome: SendOutcome | null, error: Error | null): void;
}

export class BalancedTransport implements Transport {
  private readonly parts: readonly Transport[];
  private readonly balance: Balance;
  private readonly sink: () => TargetSink;
  private readonly inflight: number[];
  private next = 0;

  constructor(parts: readonly Transport[], balance: Balance, sink: () => TargetSink) {
    this.parts = parts;
    this.balance = balance;
    this.sink = sink;
    this.inflight = parts.map(() => 0);
  }

  /** Every instance is tried; the run goes on (and shows the failures) unless none can be reached. */
  async preflight(): Promise<void> {
    const outcomes = await Promise.allSettled(this.parts.map((part) => part.preflight()));
    const reached = outcomes.some((outcome) => outcome.status === 'fulfilled');
    if (!reached) throw (outcomes[0] as PromiseRejectedResult).reason;
  }

  send(request: PreparedRequest, done: SendCallback): void {
    const target = this.pick();
    const sink = this.sink();
    const sentAt = performance.now();
    this.inflight[target]!++;
    this.parts[target]!.send(request, (outcome, error) => {
      this.inflight[target]!--;
      sink.targetSettled(target, sentAt, outcome, error);
      done(outcome, error);
    });
  }

  private pick(): number {
    const count = this.parts.length;
    if (this.balance === 'random') return Math.floor(Math.random() * count);
    const start = this.next++ % count;
    if (this.balance === 'round-robin') return start;
    // least-inflight: the fewest in flight, ties broken round-robin.
    let best = start;
    for (let k = 1; k < count; k++) {
      const i = (start + k) % count;
      if (this.inflight[i]! < this.inflight[best]!) best = i;
    }
    return best;
  }

  abortAll(reason: Error): void {
    for (const part of this.parts) part.abortAll(reason);
  }

  /** The instances' connections added up (several targets are http:// only: no TLS figures). */
  stats(): TransportStats {
    const all = this.parts.map((part) => part.stats());
    const protocols: TransportStats['protocols'] = {};
    for (const stats of all) {
      for (const [protocol, n] of Object.entries(stats.protocols) as Array<[keyof typeof protocols, number]>) {
        protocols[protocol] = (protocols[protocol] ?? 0) + n;
      }
    }
    const streams = all.map((s) => s.streamsPerSession).filter((s): s is number => s !== null);
    const sessions = all.map((s) => s.sessions).filter((s): s is number => s !== null);
    const resent = all.map((s) => s.resent).filter((s): s is number => s !== undefined);
    return {
      opened: all.reduce((n, s) => n + s.opened, 0),
      protocols,
      streamsPerSession: streams.length > 0 ? Math.min(...streams) : null,
      sessions: sessions.length > 0 ? sessions.reduce((n, s) => n + s, 0) : null,
      tls: null,
      ...(resent.length > 0 && { resent: resent.reduce((n, s) => n + s, 0) }),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((part) => part.close()));
  }
}
