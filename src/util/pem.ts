// A PEM file's sanity check, shared by the scenario's tls: section and the CLI's TLS flags.

/** Why `pem` is not a PEM file holding `kind` ("CERTIFICATE", "PRIVATE KEY"), or null when it is. */
export function pemProblem(pem: string, kind: string): string | null {
  const labels = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]!);
  if (labels.length === 0) return `not a PEM file (expected a "-----BEGIN ${kind}-----" block)`;
  if (!labels.some((label) => label.endsWith(kind))) {
    return `holds ${labels.map((l) => `"${l}"`).join(', ')}, expected a "-----BEGIN ${kind}-----" block`;
  }
  return null;
}
