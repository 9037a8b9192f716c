// Reading a user's file with a clear error: the one place that turns a failed read into the words
// messages use ("no such file", "it is a directory", ...). Callers say what the file was and where it
// was named, and throw their own error type.
import { readFileSync } from 'node:fs';

/** Why a file could not be read, in the words messages use. */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}

/** The file's bytes; when it cannot be read, `fail` gets the reason (readFailure) and throws. */
export function readFileOrFail(file: string, fail: (why: string) => never): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    return fail(readFailure(error));
  }
}

/** The file's text (UTF-8); as readFileOrFail. */
export function readTextFile(file: string, fail: (why: string) => never): string {
  return readFileOrFail(file, fail).toString('utf8');
}
