// The scenario's `transport:` (which HTTP client implementation sends the requests): loadhttp's own, or
// undici (the reference implementation).
import type { TransportChoice } from './types.ts';
import { deref, fail, shown, str, type Ctx, type Field } from './nodes.ts';
import { hint } from './suggest.ts';

export const TRANSPORTS: readonly TransportChoice[] = ['loadhttp', 'undici'];

export function readTransport(ctx: Ctx, field: Field): TransportChoice {
  const text = str(ctx, field.value, field.path).trim().toLowerCase();
  const transport = TRANSPORTS.find((t) => t === text);
  if (transport === undefined) {
    const node = deref(ctx, field.value, field.path);
    fail(ctx, node, field.path, `${shown(node, text)} is not a transport; ${hint(text, TRANSPORTS)}`);
  }
  return transport;
}
