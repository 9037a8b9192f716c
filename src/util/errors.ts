// The typed errors, in one place. Only src/cli/ turns them into messages on stderr and exit codes. The
// request errors carry a stable `code` that result/failure-classes.ts maps to a failure class.

/** Where in a scenario file something is wrong (1-based line and column). */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** Bad command-line usage: exit 2, nothing sent. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A scenario file that cannot be read, parsed or validated: exit 2, nothing sent. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  readonly position: SourcePosition | undefined;
  readonly key: string | undefined;

  constructor(message: string, position?: SourcePosition, key?: string) {
    super(position ? `${position.file}:${position.line}:${position.col}: ${key ? `${key}: ` : ''}${message}` : message);
    this.position = position;
    this.key = key;
  }
}

/**
 * The run could not measure anything meaningful (target unreachable, protocol refused, no request
 * succeeded): exit 3. `errorClass` is one of the failure classes of result/failure-classes.ts.
 */
export class RunError extends Error {
  override name = 'RunError';
  readonly errorClass: string;

  constructor(errorClass: string, message: string) {
    super(message);
    this.errorClass = errorClass;
  }
}

/** Thrown into a request the run stopped (deadline + grace, or interrupt): counted as cancelled. */
export class CancelledError extends Error {
  override name = 'CancelledError';
}

// The request errors below (and the transports' own, in transport/h1/errors.ts and h2/errors.ts) share a
// shape, a name and a code, but stay separate small classes: the name is what stack traces and tests show,
// the code is what failure-classes.ts classifies, and a common base would hold just those two fields.

/** The overall request timeout fired (`timeouts.request`: send to the last body byte). */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';
  readonly code = 'LOADHTTP_REQUEST_TIMEOUT';
}

/** The headers idle timeout fired (`timeouts.headers`: send to the response headers). */
export class HeadersTimeoutError extends Error {
  override name = 'HeadersTimeoutError';
  readonly code = 'LOADHTTP_HEADERS_TIMEOUT';
}

/** The body idle timeout fired (`timeouts.body`: the longest wait for the next body chunk). */
export class BodyTimeoutError extends Error {
  override name = 'BodyTimeoutError';
  readonly code = 'LOADHTTP_BODY_TIMEOUT';
}

/** A request hook (`hooks:`) threw: the request fails with the class hook-error. */
export class HookError extends Error {
  override name = 'HookError';
  readonly code = 'LOADHTTP_HOOK_ERROR';
}

/** A flow step's template rendered a value its request cannot carry: the request fails with the class template. */
export class TemplateError extends Error {
  override name = 'TemplateError';
  readonly code = 'LOADHTTP_TEMPLATE';
}

/** A request error with the `code` that result/failure-classes.ts maps to a failure class. */
export function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}
