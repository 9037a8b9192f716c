// The protocol part of the plan: which protocol (or which protocols to compare), HTTP/2 sessions and
// streams, and the TLS settings. Pure: certificate files were read by the scenario loader or the CLI.
import { UsageError } from '../util/errors.ts';
import type { ProtocolChoice, Scenario, ScenarioTls } from '../scenario/types.ts';

/** TLS settings, resolved (file contents read) by the plan; what the transport connects with. */
export interface TlsSettings {
  /** Skip certificate verification. */
  insecure: boolean;
  /** PEM: trusted CA certificates (replace the system ones), client certificate and key. */
  ca: string | null;
  cert: string | null;
  key: string | null;
  /** SNI and certificate name to check; default: the target's host name (none for an IP). */
  servername: string | null;
}

export interface PlannedTls extends TlsSettings {
  /** Where the PEM contents came from (for the plan summary). */
  files: { ca: string | null; cert: string | null; key: string | null };
}

export interface ProtocolOverrides {
  protocol?: ProtocolChoice;
  /** --compare-protocols: h1 then h2. */
  compareProtocols?: boolean;
  maxConcurrentStreams?: number;
  /** --insecure, --ca, --cert, --key, --servername (each replaces the scenario's). */
  tls?: ScenarioTls;
}

export interface PlannedProtocol {
  protocol: ProtocolChoice;
  /** Run once per protocol and compare (null: one run). */
  compareProtocols: ProtocolChoice[] | null;
  maxConcurrentStreams: number;
  tls: PlannedTls;
}

/** Streams per HTTP/2 session unless told otherwise (a common server limit: nginx 128, h2o/Apache 100). */
export const DEFAULT_STREAMS = 100;

export function resolveProtocol(scenario: Scenario, overrides: ProtocolOverrides): PlannedProtocol {
  if (overrides.compareProtocols && overrides.protocol !== undefined) {
    throw new UsageError(`--compare-protocols runs h1 and h2 in turn: do not combine it with --${overrides.protocol} / --protocol`);
  }
  const compareProtocols = overrides.compareProtocols
    ? (['h1', 'h2'] as ProtocolChoice[])
    : overrides.protocol === undefined
      ? (scenario.compareProtocols ?? null)
      : null;
  const protocol = compareProtocols?.[0] ?? overrides.protocol ?? scenario.protocol ?? 'auto';
  const tls = { ...scenario.tls, ...overrides.tls };
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new UsageError(`a client certificate needs both --cert and --key (tls.cert and tls.key); only ${tls.cert ? 'the certificate' : 'the key'} is given`);
  }
  return {
    protocol,
    compareProtocols,
    maxConcurrentStreams: overrides.maxConcurrentStreams ?? scenario.pool.maxConcurrentStreams ?? DEFAULT_STREAMS,
    tls: {
      insecure: tls.insecure ?? false,
      ca: tls.ca?.pem ?? null,
      cert: tls.cert?.pem ?? null,
      key: tls.key?.pem ?? null,
      servername: tls.servername ?? null,
      files: { ca: tls.ca?.file ?? null, cert: tls.cert?.file ?? null, key: tls.key?.file ?? null },
    },
  };
}

/**
 * Default connections: for a forced HTTP/2 run, sessions enough for the peak concurrency at the stream
 * limit (200 users, 100 streams → 2 sessions); otherwise null (the HTTP/1.1 default applies: with `auto`
 * the protocol is only known after ALPN, and undici opens another session only when one is full).
 */
export function defaultSessions(protocol: ProtocolChoice, peakConcurrency: number, streams: number): number | null {
  return protocol === 'h2' ? Math.max(1, Math.ceil(peakConcurrency / streams)) : null;
}
