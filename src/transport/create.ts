// The transport factory: picks the implementation once, from the plan's choice and the protocol.
// loadhttp's own transports: HTTP/1.1, HTTP/2 (h2c with prior knowledge, h2 over TLS), and for https with
// protocol auto the one the server's ALPN choice picks. undici is the reference, chosen by name.
import type { TransportChoice } from '../scenario/types.ts';
import { createAlpnTransport } from './alpn.ts';
import { createH1Transport } from './h1/transport.ts';
import { createH2Transport } from './h2/transport.ts';
import { connectionMode } from './preflight.ts';
import type { Transport, TransportOptions } from './transport.ts';
import { createUndiciTransport } from './undici.ts';

export interface TransportSelection extends TransportOptions {
  transport: TransportChoice;
}

export function createTransport(selection: TransportSelection): Transport {
  if (selection.transport === 'undici') return createUndiciTransport(selection);
  const mode = connectionMode(new URL(selection.target), selection.protocol);
  if (mode.forcedH2) return createH2Transport(selection);
  if (mode.allowH2) return createAlpnTransport(selection);
  return createH1Transport(selection);
}
