// How a run connects (decided once from the scheme and the protocol choice), and the preflight that opens
// the first connection before any request: an unreachable target, a failed TLS verification or a refused
// protocol stops the run here (RunError, exit 3) instead of being measured.
//
//   scheme    protocol   ALPN offered         speaks
//   https     auto       h2, http/1.1         what the server selects
//   https     h2         h2 only              h2, or stop: never HTTP/1.1 under an HTTP/2 label
//   https     h1         http/1.1             HTTP/1.1
//   http      h2         -                    h2c with prior knowledge (RFC 9113 §3.3), or stop
//   http      auto, h1   -                    HTTP/1.1
import type { Socket } from 'node:net';
import { RunError } from '../util/errors.ts';
import { classifyError, describeError } from '../result/failure-classes.ts';
import type { ProtocolChoice } from '../scenario/types.ts';
import { alpnChoice, type Connector } from './connector.ts';
import { probeH2 } from './h2-probe.ts';
import type { TransportOptions } from './transport.ts';

export interface ConnectionMode {
  secure: boolean;
  /** TLS: the ALPN offer. */
  alpn: string[];
  /** The user asked for HTTP/2 (--h2): anything else is an error. */
  forcedH2: boolean;
  h2c: boolean;
  /** undici may run HTTP/2 sessions. */
  allowH2: boolean;
}

export function connectionMode(origin: URL, protocol: ProtocolChoice): ConnectionMode {
  const secure = origin.protocol === 'https:';
  const forcedH2 = protocol === 'h2';
  const alpn = !secure ? [] : protocol === 'h2' ? ['h2'] : protocol === 'auto' ? ['h2', 'http/1.1'] : ['http/1.1'];
  return { secure, alpn, forcedH2, h2c: !secure && forcedH2, allowH2: forcedH2 || (secure && protocol === 'auto') };
}

export interface PreflightOutcome {
  /** The connection to hand to the pool (null when it was an HTTP/2 probe, closed afterwards). */
  spare: Socket | null;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS when the probe saw one. */
  serverStreams: number | null;
}

/** How long preflight waits for the server's TLS session ticket, so later connections can resume. */
const TICKET_WAIT_MS = 100;

type Open = (callback: (error: Error | null, socket: Socket | null) => void) => void;

/** `open` opens the first connection: by default a plain one from the connector; a transport may open its own. */
export async function preflight(
  origin: URL,
  mode: ConnectionMode,
  connector: Connector,
  options: TransportOptions,
  open: Open = (callback) => connector.open(callback),
): Promise<PreflightOutcome> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    open((error, opened) => {
      if (opened) resolve(opened);
      else reject(error ?? new Error('no socket'));
    });
  }).catch(async (error: unknown) => {
    throw await connectFailure(origin, mode, error, options);
  });
  // A server may still refuse us right after the handshake (TLS 1.3 checks a client certificate then).
  let refused: Error | null = null;
  socket.once('error', (error) => (refused = error));
  await connector.ticket(TICKET_WAIT_MS);
  if (refused || socket.destroyed) throw await connectFailure(origin, mode, refused ?? new Error('the server closed the connection'), options);
  if (!mode.forcedH2) return { spare: socket, serverStreams: null };

  // --h2: prove the server speaks HTTP/2 on this connection (and learn its stream limit) before measuring.
  const result = await probeH2(socket, options.connectTimeoutMs);
  connector.uncount(mode.h2c ? 'h2c' : 'h2');
  if (!result.ok) {
    const how = mode.h2c
      ? 'h2c (HTTP/2 over cleartext with prior knowledge; the Upgrade: h2c path is not supported)'
      : 'HTTP/2 over TLS';
    throw new RunError('protocol-error', `${named(origin, options)} does not speak ${how}: ${result.reason}; use --h1 (or --protocol auto) to measure HTTP/1.1`);
  }
  return { spare: null, serverStreams: result.maxConcurrentStreams };
}

async function connectFailure(origin: URL, mode: ConnectionMode, error: unknown, options: TransportOptions): Promise<RunError> {
  const code = (error as { code?: string }).code ?? '';
  if (mode.secure && (code === 'LOADHTTP_ALPN_NOT_H2' || code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL')) {
    // The protocol was refused: say what the server does select when offered both.
    const refused = code === 'LOADHTTP_ALPN_NOT_H2' ? describeError(error).replace(/ in TLS ALPN, not h2.*/, '') : 'the server refused it';
    const choice = await alpnChoice({
      origin,
      address: options.address,
      alpn: ['h2', 'http/1.1'],
      requireH2: false,
      h2c: false,
      timeoutMs: options.connectTimeoutMs,
      tls: options.tls,
    });
    const [speaks, instead] = mode.forcedH2 ? ['HTTP/2', '--h1 (or --protocol auto) to measure HTTP/1.1'] : ['HTTP/1.1', '--h2 (or --protocol auto)'];
    return new RunError(
      'protocol-error',
      `${named(origin, options)} does not speak ${speaks} over TLS: offered only ${mode.alpn.join(', ')} in ALPN, ${refused}; ` +
        `offered h2 and http/1.1, it selects ${choice}. Use ${instead}`,
    );
  }
  return new RunError(classifyError(error), `cannot connect to ${named(origin, options)}: ${tlsMessage(error)}${tlsHint(code, options)}`);
}

/** The origin, and the address connected to when `resolve: all` gave one ("https://svc:8443 at 10.0.0.2"). */
function named(origin: URL, options: TransportOptions): string {
  return options.address === undefined ? origin.origin : `${origin.origin} at ${options.address}`;
}

/** OpenSSL's messages carry a file name and line: keep the reason ("tlsv13 alert certificate required"). */
function tlsMessage(error: unknown): string {
  const text = describeError(error);
  const reason = /:SSL routines:[^:]*:([^:]+):/.exec(text)?.[1];
  const code = (error as { code?: string }).code;
  return reason ? `TLS: ${reason}${code ? ` (${code})` : ''}` : text;
}

const VERIFY_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/;

function tlsHint(code: string, options: TransportOptions): string {
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
    return options.tls.cert === null ? ' (does the server require a client certificate? give --cert and --key, or tls.cert and tls.key)' : '';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' && !options.tls.insecure) {
    return ' (the certificate is for other names: give the right one with --servername / tls.servername, or skip verification with --insecure)';
  }
  if (VERIFY_CODES.test(code) && !options.tls.insecure) {
    return ' (to trust this server, give its CA with --ca / tls.ca, or skip verification with --insecure)';
  }
  return '';
}
