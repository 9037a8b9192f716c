// Opening connections ourselves (not undici's buildConnector, which always sets its own ALPN list): TCP
// for http://, TLS with our ALPN offer, verification settings and one cached session for https://.
// Counts every connection by the protocol it really speaks, TLS handshakes full vs resumed, and the
// TLS handshake time (a histogram of its own: it is never request latency).
import { performance } from 'node:perf_hooks';
import net from 'node:net';
import tls from 'node:tls';
import { createHistogram, encode, recordUs, summarize, type LatencyHistogram } from '../result/histogram.ts';
import type { TlsSettings } from '../plan/protocol.ts';
import { codedError } from '../util/errors.ts';
import type { TlsStats, TransportStats, WireProtocol } from './transport.ts';

export interface ConnectorOptions {
  origin: URL;
  /** Connect here instead of to the origin's host (TransportOptions.address). */
  address?: string | undefined;
  /** TLS only: the protocols offered in ALPN, in order of preference. */
  alpn: string[];
  /** TLS only: refuse (as a connect error) a connection whose ALPN result is not h2. */
  requireH2: boolean;
  /** Cleartext only: the socket speaks HTTP/2 with prior knowledge (h2c). */
  h2c: boolean;
  timeoutMs: number;
  tls: TlsSettings;
}

type Callback = (error: Error | null, socket: net.Socket | null) => void;

/**
 * Node's `onread`: reads land in `buffer` (reused for every read) and `callback` gets their length
 * (returning false would pause reading).
 */
export interface ReadInto {
  buffer: Buffer;
  callback: (bytes: number) => boolean;
}

export class Connector {
  /** Connections handed out, by protocol (the h2 preflight probe is not one of them). */
  opened = 0;
  readonly protocols: Partial<Record<WireProtocol, number>> = {};
  private full = 0;
  private resumed = 0;
  private readonly handshakes: LatencyHistogram = createHistogram();
  /** The latest TLS session (ticket) the server gave us: offered on every new connection. */
  private session: Buffer | undefined;
  private readonly options: ConnectorOptions;
  private readonly secure: boolean;
  private readonly servername: string | undefined;

  constructor(options: ConnectorOptions) {
    this.options = options;
    this.secure = options.origin.protocol === 'https:';
    const host = options.origin.hostname.replace(/^\[|\]$/g, '');
    // SNI carries host names only (RFC 6066): none for an IP literal unless given explicitly.
    this.servername = options.tls.servername ?? (net.isIP(host) ? undefined : host);
  }

  /**
   * Opens one connection; the socket is ready for HTTP (TLS done, ALPN checked) when `callback` gets it.
   * With `onread`, the socket reads into that buffer instead of emitting 'data'.
   */
  open(callback: Callback, onread?: ReadInto): void {
    const { origin, timeoutMs } = this.options;
    const host = connectHost(this.options);
    const port = Number(origin.port) || (this.secure ? 443 : 80);
    let done = false;
    const finish = (error: Error | null, socket: net.Socket | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      callback(error, socket);
    };
    const socket = this.secure ? this.openTls(host, port, finish, onread) : this.openTcp(host, port, finish, onread);
    const timer = setTimeout(() => {
      socket.destroy();
      finish(codedError(`connect timeout after ${timeoutMs} ms (${host}:${port})`, 'ETIMEDOUT'), null);
    }, timeoutMs);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('error', (error) => finish(error, null));
  }

  private openTcp(host: string, port: number, finish: Callback, onread: ReadInto | undefined): net.Socket {
    const socket = net.connect({ host, port, ...(onread && { onread }) });
    socket.once('connect', () => {
      const protocol: WireProtocol = this.options.h2c ? 'h2c' : 'h1';
      // undici reads alpnProtocol to pick its HTTP/2 or HTTP/1.1 code path (as its own h2c connector does).
      if (this.options.h2c) (socket as net.Socket & { alpnProtocol: string }).alpnProtocol = 'h2';
      this.count(protocol);
      finish(null, socket);
    });
    return socket;
  }

  private openTls(host: string, port: number, finish: Callback, onread: ReadInto | undefined): tls.TLSSocket {
    const settings = this.options.tls;
    const socket = tls.connect({
      host,
      port,
      servername: this.servername,
      ALPNProtocols: this.options.alpn,
      session: this.session,
      rejectUnauthorized: !settings.insecure,
      ca: settings.ca ?? undefined,
      cert: settings.cert ?? undefined,
      key: settings.key ?? undefined,
      ...(onread && { onread }),
    });
    let tcpAt = 0;
    socket.once('connect', () => (tcpAt = performance.now()));
    socket.on('session', (session: Buffer) => (this.session = session));
    socket.once('secureConnect', () => {
      recordUs(this.handshakes, (performance.now() - tcpAt) * 1000);
      if (socket.isSessionReused()) this.resumed++;
      else this.full++;
      if (this.options.requireH2 && socket.alpnProtocol !== 'h2') {
        socket.destroy();
        finish(codedError(`the server selected ${describeAlpn(socket.alpnProtocol)} in TLS ALPN, not h2`, 'LOADHTTP_ALPN_NOT_H2'), null);
        return;
      }
      this.count(socket.alpnProtocol === 'h2' ? 'h2' : 'h1');
      finish(null, socket);
    });
    return socket;
  }

  private count(protocol: WireProtocol): void {
    this.opened++;
    this.protocols[protocol] = (this.protocols[protocol] ?? 0) + 1;
  }

  /** Takes back a connection counted by open() that will not carry requests (the h2 preflight probe). */
  uncount(protocol: WireProtocol): void {
    this.opened--;
    this.protocols[protocol] = (this.protocols[protocol] ?? 1) - 1;
    if (this.protocols[protocol] === 0) delete this.protocols[protocol];
  }

  /** Waits (at most `ms`) for the server's TLS session ticket, so the next connections can resume. */
  async ticket(ms: number): Promise<void> {
    const started = performance.now();
    while (this.secure && this.session === undefined && performance.now() - started < ms) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** The part of every transport's stats() that the connections tell. */
  stats(): Pick<TransportStats, 'opened' | 'protocols' | 'tls'> {
    return { opened: this.opened, protocols: { ...this.protocols }, tls: this.tlsStats() };
  }

  private tlsStats(): TlsStats | null {
    if (!this.secure) return null;
    const settings = this.options.tls;
    return {
      insecure: settings.insecure,
      servername: this.servername ?? null,
      alpnOffered: [...this.options.alpn],
      clientCertificate: settings.cert !== null,
      customCa: settings.ca !== null,
      handshakes: { full: this.full, resumed: this.resumed },
      handshakeMs: summarize(this.handshakes),
      handshakeHistogram: encode(this.handshakes),
    };
  }
}

/**
 * One extra TLS handshake offering both h2 and http/1.1, to tell the user what the server does speak when
 * it refused h2 alone. Resolves to the selected protocol, or a description of the failure.
 */
export function alpnChoice(connector: ConnectorOptions): Promise<string> {
  const host = connector.origin.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: connectHost(connector),
      port: Number(connector.origin.port) || 443,
      servername: connector.tls.servername ?? (net.isIP(host) ? undefined : host),
      ALPNProtocols: ['h2', 'http/1.1'],
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => socket.destroy(new Error('no answer')), connector.timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(describeAlpn(socket.alpnProtocol));
      socket.destroy();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      resolve(`an error (${error.message})`);
    });
  });
}

/** Where a connection goes: the given address, else the origin's host (an IPv6 literal without brackets). */
function connectHost(options: ConnectorOptions): string {
  return options.address ?? options.origin.hostname.replace(/^\[|\]$/g, '');
}

export function describeAlpn(protocol: string | false | null | undefined): string {
  return protocol ? protocol : 'no protocol';
}
