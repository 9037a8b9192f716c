// Report header text about protocols and TLS: which protocol the connections really used, HTTP/2
// streams per session, TLS verification (a warning when off), handshakes and their time. Pure.
import { formatCount, formatMs } from './format.ts';
import type { RunResult } from '../result/result.ts';
import { shareOf } from '../util/list.ts';

const plural = (n: number, word: string): string => `${formatCount(n)} ${n === 1 ? word : `${word}s`}`;

/** "h2 via loadhttp, 2 connections opened, up to 100 streams each (requested: auto)". */
export function protocolLine(result: RunResult): string {
  const via = result.transport ? ` via ${result.transport}` : '';
  const byProtocol = usedProtocols(result);
  const differ = targetsDiffer(result);
  const label = differ ? `mixed ${byProtocol.map(([p]) => p).join(' and ')}` : result.protocol;
  const protocol = result.protocol === null ? 'none (no connection)' : `${label}${via}`;
  const because = differ ? `; ${DIFFER}` : '';
  const mixed = byProtocol.length > 1 ? ` (${byProtocol.map(([p, n]) => `${p}: ${formatCount(n)}`).join(', ')}${because})` : '';
  const streams = result.streamsPerSession ? `, up to ${formatCount(result.streamsPerSession)} streams each` : '';
  const requested = result.plan.protocol && result.plan.protocol !== result.protocol ? ` (requested: ${result.plan.protocol})` : '';
  return `${protocol}, ${connectionsOpened(result)}${mixed}${streams}${requested}${widened(result)}`;
}

/**
 * "93 connections opened, at most 64 at once: 29 reopened after the server closed them". Each transport
 * keeps a fixed set of connections (or sessions) and opens a new one only in place of one that closed, so
 * opening more than the pool holds means the server closed connections during the run: a keep-alive limit
 * (nginx closes a connection after 1,000 requests by default: keepalive_requests), an idle timeout or a reset.
 */
export function connectionsOpened(result: RunResult): string {
  const opened = `${plural(result.connectionsOpened, 'connection')} opened`;
  const pool = poolSize(result);
  if (result.connectionsOpened <= pool) return opened;
  return `${opened}, at most ${formatCount(pool)} at once: ${formatCount(result.connectionsOpened - pool)} reopened after the server closed them`;
}

/**
 * The most connections the run's pools hold at once: the plan's (or, when the server allowed fewer streams
 * than planned, the h2 sessions opened to make up), shared out as the engine shares them: between the
 * worker threads (plan/split.ts, at least one each), then within each worker between the instances (a
 * target, or an address of `resolve: all`: result.targets has them all; engine/run.ts, at least one each).
 */
function poolSize(result: RunResult): number {
  const planned = Math.max(result.plan.connections, result.sessions ?? 0);
  const instances = Math.max(result.plan.targets?.length ?? 1, Object.keys(result.targets ?? {}).length);
  const workers = result.workers ?? 1;
  let size = 0;
  for (let i = 0; i < workers; i++) size += instances * Math.ceil(Math.max(1, shareOf(planned, i, workers)) / instances);
  return size;
}

const DIFFER = 'the targets negotiated different protocols';

const usedProtocols = (result: RunResult): Array<[string, number]> => Object.entries(result.protocols ?? {}).filter(([, n]) => n > 0);

/**
 * Several targets each make their own ALPN choice: a mix is said outright, never folded into the protocol
 * most connections used (result.protocol).
 */
const targetsDiffer = (result: RunResult): boolean => result.plan.targets !== undefined && usedProtocols(result).length > 1;

/** For reports that name one protocol: " (mixed: h2: 1, h1: 2; the targets negotiated different protocols)", or ''. */
export function mixedProtocolsNote(result: RunResult): string {
  if (!targetsDiffer(result)) return '';
  return ` (mixed: ${usedProtocols(result).map(([p, n]) => `${p}: ${formatCount(n)}`).join(', ')}; ${DIFFER})`;
}

/** When the server allowed fewer streams per session than planned and more sessions were opened to make up. */
function widened(result: RunResult): string {
  const { sessions, streamsPerSession, plan } = result;
  if (!sessions || !streamsPerSession || sessions <= plan.connections) return '';
  const planned = plan.maxConcurrentStreams === undefined ? '' : ` (${formatCount(plan.maxConcurrentStreams)} planned)`;
  return `; the server allows ${plural(streamsPerSession, 'stream')} per session${planned}: ${formatCount(sessions)} sessions at once, not ${formatCount(plan.connections)}, to reach ${formatCount(plan.maxInflight)} in flight`;
}

/** The pool line: HTTP/2 plans count sessions × streams, HTTP/1.1 plans connections × pipelining. */
export function poolLine(plan: RunResult['plan']): string {
  const perConnection =
    plan.protocol === 'h2' && plan.maxConcurrentStreams !== undefined
      ? `${plural(plan.connections, 'session')} × ${formatCount(plan.maxConcurrentStreams)} streams`
      : `${plural(plan.connections, 'connection')} × ${formatCount(plan.pipelining)} pipelining`;
  return `${perConnection}, max ${formatCount(plan.maxInflight)} in flight`;
}

/** The TLS lines of an https:// run (label, text), or none. */
export function tlsLines(result: RunResult): Array<[string, string]> {
  const tls = result.tls;
  if (!tls) return [];
  const trust = tls.insecure ? 'NOT verified (--insecure)' : tls.customCa ? 'verified against the given CA' : 'verified';
  const sni = tls.servername ? `, SNI ${tls.servername}` : '';
  const client = tls.clientCertificate ? ', client certificate sent' : '';
  const h = tls.handshakeMs;
  const time = h.count > 0 ? `; time P50 ${formatMs(Math.min(h.p50, h.max))}, max ${formatMs(h.max)} (not in latency)` : '';
  return [
    ['tls', `${trust}${sni}${client}; ALPN offered ${tls.alpnOffered.join(', ')}`],
    ['handshakes', `${formatCount(tls.handshakes.full)} full, ${formatCount(tls.handshakes.resumed)} resumed${time}`],
  ];
}

/** The warning shown at the top of the report when certificates were not verified. */
export function insecureWarning(result: RunResult): string | null {
  return result.tls?.insecure
    ? "!! TLS certificate verification was OFF (--insecure): the server's identity was not checked !!"
    : null;
}
