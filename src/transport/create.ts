// The transport factory: picks the implementation once, from the plan's choice and the protocol.
// loadhttp's own transport speaks HTTP/1.1; until its HTTP/2 transport lands, HTTP/2 (h2c, h2 over TLS)
// and https with ALPN choosing (which may answer h2) stay on undici.
import type { TransportChoice } from '../scenario/types.ts';
import { createH1Transport } from './h1/transport.ts';
import { connectionMode } from './preflight.ts';
import type { Transport, TransportOptions } from './transport.ts';
import { createUndiciTransport } from './undici.ts';

export interface TransportSelection extends TransportOptions {
  transport: TransportChoice;
}

/** The implementation that will really carry the run (the result's `transport`). */
export function effectiveTransport(selection: Pick<TransportSelection, 'transport' | 'target' | 'protocol'>): TransportChoice {
  if (selection.transport === 'undici') return 'undici';
  return connectionMode(new URL(selection.target), selection.protocol).allowH2 ? 'undici' : 'loadhttp';
}

export function createTransport(selection: TransportSelection): Transport {
  return effectiveTransport(selection) === 'loadhttp' ? createH1Transport(selection) : createUndiciTransport(selection);
}
