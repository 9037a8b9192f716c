// PEM files (CA, client certificate, client key): read and sanity-checked the same way for the
// scenario's tls: section and the CLI's TLS flags, which differ only in how they report a problem.
import { readTextFile } from './read-file.ts';

/** Why `pem` is not a PEM file holding `kind` ("CERTIFICATE", "PRIVATE KEY"), or null when it is. */
export function pemProblem(pem: string, kind: string): string | null {
  const labels = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]!);
  if (labels.length === 0) return `not a PEM file (expected a "-----BEGIN ${kind}-----" block)`;
  if (!labels.some((label) => label.endsWith(kind))) {
    return `holds ${labels.map((l) => `"${l}"`).join(', ')}, expected a "-----BEGIN ${kind}-----" block`;
  }
  return null;
}

/**
 * The contents of the PEM file `file`, which must hold a `kind` block. On a problem `fail` throws with the
 * message; `unreadable` tells a file that could not be read from one with the wrong contents.
 */
export function readPemFile(file: string, kind: string, fail: (message: string, unreadable: boolean) => never): string {
  const pem = readTextFile(file, (why) => fail(`cannot read ${file}: ${why}`, true));
  const problem = pemProblem(pem, kind);
  if (problem) fail(`${file}: ${problem}`, false);
  return pem;
}
