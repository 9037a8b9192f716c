// A curl command line -> one recorded request. The options that shape the request are understood; the
// ones that only change what curl prints are ignored; any other option is refused by name, so nothing
// the command meant is silently dropped.
import { UsageError } from '../../util/errors.ts';
import { requestTarget, type RecordedRequest, type Recording } from './recording.ts';
import { shellWords } from './shell-words.ts';

/** Options taking a value, by every name curl accepts for them (the short and the long one). */
const WITH_VALUE: Record<string, string> = {
  '-X': 'request', '--request': 'request',
  '-H': 'header', '--header': 'header',
  '-d': 'data', '--data': 'data', '--data-ascii': 'data',
  '--data-raw': 'data-raw', '--data-binary': 'data-binary', '--data-urlencode': 'data-urlencode',
  '--json': 'json',
  '-u': 'user', '--user': 'user',
  '-b': 'cookie', '--cookie': 'cookie',
  '-A': 'user-agent', '--user-agent': 'user-agent',
  '-e': 'referer', '--referer': 'referer',
  '--url': 'url',
  // Output only: what curl writes where, never what it sends.
  '-o': 'ignored', '--output': 'ignored', '-w': 'ignored', '--write-out': 'ignored',
};
/** Options without a value. */
const FLAGS: Record<string, string> = {
  '-G': 'get', '--get': 'get',
  '-I': 'head', '--head': 'head',
  '-k': 'insecure', '--insecure': 'insecure',
  '-g': 'globoff', '--globoff': 'globoff',
  '--http2': 'http2', '--http2-prior-knowledge': 'http2', '--http1.1': 'http1.1',
  '--compressed': 'compressed',
  '-L': 'location', '--location': 'location',
  '-s': 'ignored', '--silent': 'ignored', '-S': 'ignored', '--show-error': 'ignored', '-v': 'ignored',
  '--verbose': 'ignored', '-i': 'ignored', '--include': 'ignored', '-f': 'ignored', '--fail': 'ignored',
  '-N': 'ignored', '--no-buffer': 'ignored',
};

interface Parsed {
  method?: string;
  headers: Array<[string, string]>;
  data: string[];
  dataFile?: string;
  json: boolean;
  get: boolean;
  head: boolean;
  url?: string;
  insecure: boolean;
  globoff: boolean;
  protocol?: 'h1' | 'h2';
  notes: string[];
}

/** Parses one curl command (the text as pasted: quotes, escapes and `\` continuations as a shell reads them). */
export function parseCurl(command: string): Recording {
  const words = shellWords(command);
  if (words[0] !== 'curl') {
    throw new UsageError(`expected a curl command (starting with "curl"), got ${JSON.stringify(words[0] ?? '')}`);
  }
  const p = readOptions(words.slice(1));
  if (p.url === undefined) throw new UsageError('the curl command has no URL');
  return { source: 'a curl command', requests: [toRequest(p, p.url)], ...(p.insecure && { insecure: true }), ...(p.protocol && { protocol: p.protocol }), notes: p.notes };
}

function readOptions(args: string[]): Parsed {
  const p: Parsed = { headers: [], data: [], json: false, get: false, head: false, insecure: false, globoff: false, notes: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      setUrl(p, arg);
      continue;
    }
    if (arg === '--') {
      for (const rest of args.slice(i + 1)) setUrl(p, rest);
      break;
    }
    // `-XPOST`, `-sSL`: short options run together, the last one may take the rest as its value.
    const options = arg.startsWith('--') ? [{ name: arg, attached: undefined }] : shortOptions(arg);
    for (const { name, attached } of options) {
      const valued = WITH_VALUE[name];
      if (valued !== undefined) {
        const value = attached ?? args[++i];
        if (value === undefined) throw new UsageError(`curl option ${name} needs a value`);
        apply(p, valued, value);
      } else if (FLAGS[name] !== undefined) {
        apply(p, FLAGS[name], '');
      } else {
        throw new UsageError(`curl option ${name} is not supported by loadhttp import (supported: ${supportedList()})`);
      }
    }
  }
  return p;
}

/** `-sSXPOST` -> -s, -S, -X with "POST". */
function shortOptions(arg: string): Array<{ name: string; attached: string | undefined }> {
  const out: Array<{ name: string; attached: string | undefined }> = [];
  for (let j = 1; j < arg.length; j++) {
    const name = `-${arg[j]}`;
    if (WITH_VALUE[name] !== undefined && j + 1 < arg.length) {
      out.push({ name, attached: arg.slice(j + 1) });
      break;
    }
    out.push({ name, attached: undefined });
  }
  return out;
}

function supportedList(): string {
  return [...Object.keys(WITH_VALUE), ...Object.keys(FLAGS)].filter((o) => o.startsWith('--')).join(', ');
}

function setUrl(p: Parsed, url: string): void {
  if (p.url !== undefined) throw new UsageError(`the curl command has more than one URL (${p.url}, ${url}); give one`);
  p.url = url;
}

function apply(p: Parsed, option: string, value: string): void {
  switch (option) {
    case 'request':
      p.method = value.toUpperCase();
      break;
    case 'header':
      p.headers.push(header(value));
      break;
    case 'data':
    case 'data-binary':
      if (value.startsWith('@')) setDataFile(p, value.slice(1));
      else p.data.push(option === 'data' ? value.replace(/[\r\n]/g, '') : value);
      break;
    case 'data-raw':
      p.data.push(value);
      break;
    case 'data-urlencode':
      p.data.push(urlencoded(value));
      break;
    case 'json':
      p.json = true;
      if (value.startsWith('@')) setDataFile(p, value.slice(1));
      else p.data.push(value);
      break;
    case 'user':
      p.headers.push(['authorization', `Basic ${Buffer.from(value.includes(':') ? value : `${value}:`).toString('base64')}`]);
      break;
    case 'cookie':
      if (!value.includes('=')) throw new UsageError(`curl -b ${value}: reading cookies from a file is not supported; give them as -b 'name=value'`);
      p.headers.push(['cookie', value]);
      break;
    case 'user-agent':
      p.headers.push(['user-agent', value]);
      break;
    case 'referer':
      p.headers.push(['referer', value]);
      break;
    case 'url':
      setUrl(p, value);
      break;
    case 'get':
      p.get = true;
      break;
    case 'head':
      p.head = true;
      break;
    case 'insecure':
      p.insecure = true;
      break;
    case 'globoff':
      p.globoff = true;
      break;
    case 'http2':
      p.protocol = 'h2';
      break;
    case 'http1.1':
      p.protocol = 'h1';
      break;
    case 'compressed':
      p.notes.push('--compressed ignored: loadhttp sends the accept-encoding header you give and reads the body as it comes');
      break;
    case 'location':
      p.notes.push('-L ignored: loadhttp does not follow redirects (a 3xx counts as a success)');
      break;
  }
}

function header(value: string): [string, string] {
  const colon = value.indexOf(':');
  // `-H 'name;'` sends an empty header in curl; `-H 'name:'` removes one (nothing to send here).
  if (colon < 0) {
    if (value.endsWith(';')) return [value.slice(0, -1).trim().toLowerCase(), ''];
    throw new UsageError(`curl -H ${JSON.stringify(value)}: expected "Name: value"`);
  }
  return [value.slice(0, colon).trim().toLowerCase(), value.slice(colon + 1).trim()];
}

/** --data-urlencode: "content", "=content", "name=content" (content encoded); "@file" forms are refused. */
function urlencoded(value: string): string {
  const eq = value.indexOf('=');
  if (value.startsWith('@') || (eq > 0 && value[eq - 1] === '@') || (eq < 0 && value.includes('@'))) {
    throw new UsageError(`curl --data-urlencode ${JSON.stringify(value)}: reading the value from a file is not supported`);
  }
  if (eq < 0) return encodeURIComponent(value);
  const name = value.slice(0, eq);
  return `${name}${name === '' ? '' : '='}${encodeURIComponent(value.slice(eq + 1))}`;
}

function setDataFile(p: Parsed, file: string): void {
  if (file === '-') throw new UsageError('curl -d @-: a body from stdin cannot be imported; save it to a file and give -d @file');
  if (p.dataFile !== undefined || p.data.length > 0) throw new UsageError('curl -d @file: only one body file, and not mixed with other -d data');
  p.dataFile = file;
  p.notes.push(`the body is read from ${file} (file: is relative to the scenario file: save the scenario beside it)`);
}

function toRequest(p: Parsed, rawUrl: string): RecordedRequest {
  const { url, text } = parseUrl(rawUrl);
  let target = requestTarget(text);
  if (!p.globoff && /[{}[\]]/.test(target)) {
    p.notes.push('the URL has {} or [] and no -g: curl would expand them (URL globbing); imported as written, as curl -g sends it');
  }
  const headers = [...p.headers];
  const hasHeader = (name: string) => headers.some(([n]) => n === name);
  if (p.json) {
    if (!hasHeader('content-type')) headers.push(['content-type', 'application/json']);
    if (!hasHeader('accept')) headers.push(['accept', 'application/json']);
  }
  const hasData = p.data.length > 0 || p.dataFile !== undefined;
  if (p.get && hasData) {
    if (p.dataFile !== undefined) throw new UsageError('curl -G with -d @file: the query cannot come from a file');
    target += `${target.includes('?') ? '&' : '?'}${p.data.join('&')}`;
  }
  const bodyGoes = hasData && !p.get;
  if (bodyGoes && !hasHeader('content-type')) headers.push(['content-type', 'application/x-www-form-urlencoded']);
  const method = p.method ?? (p.head ? 'HEAD' : bodyGoes ? 'POST' : 'GET');
  const mimeType = headers.find(([n]) => n === 'content-type')?.[1] ?? '';
  const body = !bodyGoes ? undefined : p.dataFile !== undefined ? { file: p.dataFile } : { text: p.data.join('&'), mimeType };
  return { method, url, target, headers, ...(body && { body }) };
}

/** The URL parsed, and its text with a scheme. */
function parseUrl(raw: string): { url: URL; text: string } {
  // curl takes "example.com/x" as http://example.com/x.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`curl URL ${raw}: only http: and https: are supported`);
    return { url, text };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`curl URL ${JSON.stringify(raw)} is not a valid URL`);
  }
}
