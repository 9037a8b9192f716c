// The transport factory: picks the implementation once, from the plan's protocol.
import { createH2Transport } from './h2/transport.ts';
import type { Transport } from './transport.ts';
import { createTransport as createUndiciTransport, type TransportOptions } from './undici.ts';

export function createTransport(options: TransportOptions): Transport {
  if (options.protocol === 'h2') return createH2Transport(options);
  return createUndiciTransport(options);
}
