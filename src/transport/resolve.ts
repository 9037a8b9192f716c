// The instances a run sends to. `resolve: first` (the default): each target is one instance, its host name
// looked up by every connection as it opens (the first address the system gives). `resolve: all`: each
// target's host name is looked up once, at the start of the run, with the system resolver (dns.lookup, so
// /etc/hosts and nsswitch count as for any other program; IPv4 and IPv6 addresses in the order the system
// gives them), and every address becomes an instance with its own pool, named address:port.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ResolveChoice } from '../scenario/types.ts';
import { RunError } from '../util/errors.ts';

export interface Instance {
  /** The origin: Host header, :authority, TLS SNI and certificate name. */
  origin: string;
  /** The address to connect to (resolve: all), else undefined: the origin's host name, looked up per connection. */
  address?: string;
  /** Its name in per-target figures and thresholds: the origin's host:port, or address:port. */
  name: string;
}

/** One instance per target, connected to by name (`resolve: first`). */
export function namedInstances(origins: readonly string[]): Instance[] {
  return origins.map((origin) => ({ origin, name: new URL(origin).host }));
}

/**
 * The instances of `origins`. With `all`, a name that does not resolve stays one instance connected to by
 * name, so it fails as an unreachable target does today (its connections fail with the resolver's error;
 * if no instance can be reached the run stops before measuring). Throws a RunError when two targets resolve
 * to the same address and port (they could not be told apart).
 */
export async function resolveInstances(origins: readonly string[], resolve: ResolveChoice): Promise<Instance[]> {
  if (resolve === 'first') return namedInstances(origins);
  const found = await Promise.all(origins.map((origin) => addressesOf(origin)));
  const instances = found.flat();
  const seen = new Map<string, string>();
  for (const instance of instances) {
    const other = seen.get(instance.name);
    if (other !== undefined) {
      throw new RunError('other', `${other} and ${instance.origin} both resolve to ${instance.name}: list that instance once (resolve: all)`);
    }
    seen.set(instance.name, instance.origin);
  }
  return instances;
}

async function addressesOf(origin: string): Promise<Instance[]> {
  const url = new URL(origin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return [{ origin, address: host, name: url.host }];
  let found: Array<{ address: string; family: number }>;
  try {
    found = await lookup(host, { all: true });
  } catch {
    return namedInstances([origin]);
  }
  const port = url.port === '' ? '' : `:${url.port}`;
  const unique = [...new Map(found.map((a) => [a.address, a])).values()];
  return unique.map(({ address, family }) => ({ origin, address, name: `${family === 6 ? `[${address}]` : address}${port}` }));
}
