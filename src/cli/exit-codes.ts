// The exit codes: a public contract CI jobs script against (documented in the README).
export const EXIT = {
  ok: 0,
  /** Node's own code for an uncaught crash; we never use it on purpose. */
  crash: 1,
  usage: 2,
  /** Nothing meaningful measured: target unreachable, protocol refused, no request succeeded. */
  noMeasurement: 3,
  /** A threshold failed, or a regression against --baseline (k6's number for crossed thresholds). */
  thresholds: 99,
  interrupted: 130,
} as const;
