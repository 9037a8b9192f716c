// Several targets (instances of one service), each behind its own transport and pool, as one Transport:
// each request goes to the instance the balance picks (round-robin, random, or the one with the fewest
// requests in flight), and each settled request is reported per instance to a sink, so results can show
// an unhealthy instance apart. Only a plan with several instances (targets, or the addresses of
// `resolve: all`) uses it. With https:// and protocol auto each instance's own ALPN choice decides its
// protocol; the connections are counted by protocol, so a mix shows in the result.
import { performance } from 'node:perf_hooks';
import { addInto, createHistogram, decode, encode, summarize } from '../result/histogram.ts';
import type { Balance } from '../scenario/types.ts';
import { RunError } from '../util/errors.ts';
import type { PreparedRequest, SendCallback, SendOutcome, TlsStats, Transport, TransportStats } from './transport.ts';

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

  /**
   * Every instance is tried; the run goes on (and shows the failures) unless none can be reached. A refused
   * protocol is not an unhealthy instance but a wrong plan (e.g. --h2 against one that speaks HTTP/1.1
   * only): it stops the run, whatever the others answered.
   */
  async preflight(): Promise<void> {
    const outcomes = await Promise.allSettled(this.parts.map((part) => part.preflight()));
    const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected').map((o) => o.reason as unknown);
    const refused = failures.find((error) => error instanceof RunError && error.errorClass === 'protocol-error');
    if (refused !== undefined) throw refused;
    if (failures.length === outcomes.length) throw failures[0];
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

  /** The instances' connections and TLS handshakes added up. */
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
      tls: mergedTls(all.map((s) => s.tls).filter((t): t is TlsStats => t !== null)),
      ...(resent.length > 0 && { resent: resent.reduce((n, s) => n + s, 0) }),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.parts.map((part) => part.close()));
  }
}

/**
 * The instances' TLS figures as one: handshakes added up, their times in one histogram. The settings are the
 * plan's, alike for all; the SNI names differ only between targets with different host names and the ALPN
 * offers between instances that chose differently (then each is listed once).
 */
function mergedTls(parts: readonly TlsStats[]): TlsStats | null {
  const first = parts[0];
  if (first === undefined) return null;
  const handshakes = createHistogram();
  for (const part of parts) addInto(handshakes, decode(part.handshakeHistogram));
  const names = [...new Set(parts.map((part) => part.servername).filter((name): name is string => name !== null))];
  return {
    ...first,
    servername: names.length > 0 ? names.join(', ') : null,
    // An instance whose ALPN choice was http/1.1 offers only that on its pool's connections (alpn.ts).
    alpnOffered: [...new Set(parts.flatMap((part) => part.alpnOffered))],
    handshakes: {
      full: parts.reduce((n, part) => n + part.handshakes.full, 0),
      resumed: parts.reduce((n, part) => n + part.handshakes.resumed, 0),
    },
    handshakeMs: summarize(handshakes),
    handshakeHistogram: encode(handshakes),
  };
}
