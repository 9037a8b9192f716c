// Typed errors. Only src/cli.ts turns them into messages on stderr and exit codes.

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
 * succeeded): exit 3. `errorClass` is one of the failure classes of record/classify.ts.
 */
export class RunError extends Error {
  override name = 'RunError';
  readonly errorClass: string;

  constructor(errorClass: string, message: string) {
    super(message);
    this.errorClass = errorClass;
  }
}
