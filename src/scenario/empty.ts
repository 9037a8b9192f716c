// The scenario of an ad-hoc run (`loadhttp run --url ...`): everything comes from the command line.
import type { Scenario } from './types.ts';

export function emptyScenario(): Scenario {
  return {
    file: null,
    name: undefined,
    target: undefined,
    protocol: undefined,
  tls: {},
    load: {},
    pool: {},
    timeouts: {},
    headers: {},
    requests: [],
    thresholds: [],
  };
}
