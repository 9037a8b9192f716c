// What the transport learned, as RunResult fields: protocols per connection, HTTP/2 streams per session,
// TLS figures, and the handshake histogram.
import type { Plan } from '../plan/types.ts';
import type { RunResult, TlsSummary } from '../result/result.ts';
import type { TransportStats } from '../transport/transport.ts';

export function transportFields(stats: TransportStats): Pick<RunResult, 'protocols' | 'streamsPerSession' | 'sessions' | 'tls' | 'resent'> {
  let tls: TlsSummary | null = null;
  if (stats.tls) {
    const { handshakeHistogram: _encoded, ...summary } = stats.tls;
    tls = summary;
  }
  const h2 = (stats.protocols.h2 ?? 0) + (stats.protocols.h2c ?? 0) > 0;
  return {
    protocols: stats.protocols,
    streamsPerSession: h2 ? stats.streamsPerSession : null,
    sessions: h2 ? stats.sessions : null,
    tls,
    ...(stats.resent !== undefined && { resent: stats.resent }),
  };
}

/** The handshake histogram for RunResult.histograms (https:// runs only). */
export function handshakeHistogram(stats: TransportStats): { handshake?: string } {
  return stats.tls ? { handshake: stats.tls.handshakeHistogram } : {};
}

/**
 * The bound on requests in flight. A forced HTTP/2 run whose server announced fewer streams per session
 * than planned can carry only sessions × that many at once: more would wait inside the transport and that
 * wait would be counted as latency, so the bound comes down to what the sessions can carry. (loadhttp's
 * transport opens more sessions instead, and says how many it keeps: the bound then stays as planned.)
 */
export function inflightBound(plan: Plan, stats: TransportStats): number {
  const streams = stats.streamsPerSession;
  if (plan.protocol !== 'h2' || streams === null || streams >= plan.pool.maxConcurrentStreams) return plan.pool.maxInflight;
  return Math.min(plan.pool.maxInflight, (stats.sessions ?? plan.pool.connections) * streams);
}
