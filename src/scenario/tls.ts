// The scenario's `tls:` section and `protocol:` (one protocol, or a list to compare side by side).
// Certificate and key files are read here, relative to the scenario file, so the plan stays pure.
import path from 'node:path';
import { isSeq } from 'yaml';
import { readPemFile } from '../util/pem.ts';
import type { ProtocolChoice, ScenarioTls, TlsFile } from './types.ts';
import { type Ctx, type Field, bool, deref, fail, fields, nonEmptyStr, shown, str } from './nodes.ts';

const TLS_KEYS = ['insecure', 'ca', 'cert', 'key', 'servername'];
const PROTOCOLS: readonly ProtocolChoice[] = ['h1', 'h2', 'auto'];

/** `protocol: h2`, or `protocol: [h1, h2]` to run once per protocol and compare. */
export function readProtocols(ctx: Ctx, field: Field): { protocol?: ProtocolChoice; compareProtocols?: ProtocolChoice[] } {
  const node = deref(ctx, field.value, field.path);
  if (!isSeq(node)) return { protocol: readOne(ctx, node, field.path) };
  if (node.items.length < 2) fail(ctx, node, field.path, 'a list of protocols compares them: give at least two (e.g. [h1, h2])');
  const list = node.items.map((item, i) => readOne(ctx, item, `${field.path}[${i}]`));
  const repeated = list.find((p, i) => list.indexOf(p) !== i);
  if (repeated) fail(ctx, node, field.path, `${repeated} is listed twice (each protocol runs once)`);
  return { compareProtocols: list };
}

function readOne(ctx: Ctx, raw: unknown, key: string): ProtocolChoice {
  const text = str(ctx, raw, key).trim().toLowerCase();
  const protocol = PROTOCOLS.find((p) => p === text);
  if (protocol === undefined) {
    fail(ctx, deref(ctx, raw, key), key, `${shown(deref(ctx, raw, key), text)} is not a protocol (accepted: ${PROTOCOLS.join(', ')})`);
  }
  return protocol;
}

export function readTls(ctx: Ctx, field: Field | undefined): ScenarioTls {
  if (field === undefined) return {};
  const f = fields(ctx, field.value, field.path, TLS_KEYS, true);
  const file = (name: string, kind: string): TlsFile | undefined => {
    const entry = f.get(name);
    return entry === undefined ? undefined : readPem(ctx, entry, kind);
  };
  const tls: ScenarioTls = {};
  const insecure = f.get('insecure');
  if (insecure !== undefined) tls.insecure = bool(ctx, insecure.value, insecure.path);
  const ca = file('ca', 'CERTIFICATE');
  if (ca) tls.ca = ca;
  const cert = file('cert', 'CERTIFICATE');
  const key = file('key', 'PRIVATE KEY');
  if ((cert === undefined) !== (key === undefined)) {
    const given = f.get(cert ? 'cert' : 'key')!;
    fail(ctx, given.keyNode, given.path, `a client certificate needs both \`cert\` and \`key\` (only \`${given.name}\` is given)`);
  }
  if (cert && key) Object.assign(tls, { cert, key });
  const servername = f.get('servername');
  if (servername !== undefined) tls.servername = nonEmptyStr(ctx, servername.value, servername.path).trim();
  return tls;
}

/** A PEM file, relative to the scenario file; `kind` is what its BEGIN line must name (e.g. CERTIFICATE). */
function readPem(ctx: Ctx, field: Field, kind: string): TlsFile {
  const text = nonEmptyStr(ctx, field.value, field.path).trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    fail(ctx, field.value, field.path, `${shown(field.value, text)} is a URL; it takes a local PEM file path (relative to the scenario file)`);
  }
  const resolved = path.resolve(path.dirname(ctx.file), text);
  const pem = readPemFile(resolved, kind, (message, unreadable) =>
    fail(ctx, field.value, field.path, unreadable ? `${message} (paths are relative to the scenario file)` : message),
  );
  return { file: resolved, pem };
}

