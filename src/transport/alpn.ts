// https with protocol auto: the server's ALPN choice on the preflight connection (h2 and http/1.1 offered)
// decides the run's protocol. h2: loadhttp's HTTP/2 transport, which takes that connection as its first
// session. http/1.1: loadhttp's HTTP/1.1 transport, which opens its own connections offering http/1.1 (the
// preflight connection is closed and not counted). One server answers every connection alike, so the
// choice is made once rather than per connection.
import type { TLSSocket } from 'node:tls';
import { Connector } from './connector.ts';
import { createH1Transport } from './h1/transport.ts';
import { H2Transport } from './h2/transport.ts';
import { connectionMode, preflight } from './preflight.ts';
import type { PreparedRequest, SendCallback, Transport, TransportOptions, TransportStats } from './transport.ts';

class AlpnTransport implements Transport {
  private readonly options: TransportOptions;
  private readonly connector: Connector;
  /** The transport the server's choice picked (null until the preflight). */
  private chosen: Transport | null = null;

  constructor(options: TransportOptions) {
    this.options = options;
    this.connector = new Connector({
      origin: new URL(options.target),
      alpn: connectionMode(new URL(options.target), 'auto').alpn,
      requireH2: false,
      h2c: false,
      timeoutMs: options.connectTimeoutMs,
      tls: options.tls,
      address: options.address,
    });
  }

  async preflight(): Promise<void> {
    const origin = new URL(this.options.target);
    const outcome = await preflight(origin, connectionMode(origin, 'auto'), this.connector, this.options);
    const socket = outcome.spare as TLSSocket;
    if (socket.alpnProtocol === 'h2') {
      const h2 = new H2Transport(this.options, this.connector, () => Promise.resolve(outcome));
      this.chosen = h2;
      await h2.preflight();
      return;
    }
    socket.destroy();
    this.connector.uncount('h1');
    const h1 = createH1Transport(this.options);
    this.chosen = h1;
    await h1.preflight();
  }

  send(request: PreparedRequest, done: SendCallback): void {
    this.chosen!.send(request, done);
  }

  abortAll(reason: Error): void {
    this.chosen?.abortAll(reason);
  }

  stats(): TransportStats {
    if (this.chosen !== null) return this.chosen.stats();
    return { ...this.connector.stats(), streamsPerSession: null, sessions: null };
  }

  close(): Promise<void> {
    return this.chosen?.close() ?? Promise.resolve();
  }
}

export function createAlpnTransport(options: TransportOptions): Transport {
  return new AlpnTransport(options);
}
