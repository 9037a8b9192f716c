// A HAR 1.2 file (as browsers and proxies save it) -> the recorded requests, in the order they were made.
// Only what a request sends is read: method, url, headers, postData (text, or params for a form); and
// when it started and how long it took (startedDateTime, time), for the pauses between requests.
import { UsageError } from '../../util/errors.ts';
import { requestTarget, type RecordedRequest, type Recording } from './recording.ts';

type Json = Record<string, unknown>;

/** Parses HAR text; `file` names it in messages. */
export function parseHar(text: string, file: string): Recording {
  let har: unknown;
  try {
    har = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    throw new UsageError(`${file}: not a HAR file (invalid JSON: ${(error as Error).message})`);
  }
  const entries = (isObject(har) && isObject(har.log) ? har.log.entries : undefined) as unknown;
  if (!Array.isArray(entries)) throw new UsageError(`${file}: not a HAR file (no log.entries list)`);
  if (entries.length === 0) throw new UsageError(`${file}: log.entries is empty (nothing was recorded)`);
  const indexed = entries.map((entry, i) => ({ entry: entry as unknown, i }));
  // HAR writers list entries by start time, but the format does not promise it.
  indexed.sort((a, b) => startOf(a.entry) - startOf(b.entry) || a.i - b.i);
  return { source: file, requests: indexed.map(({ entry, i }) => readEntry(entry, `${file}: log.entries[${i}]`)), notes: [] };
}

function startOf(entry: unknown): number {
  const time = isObject(entry) && typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) : NaN;
  return Number.isNaN(time) ? 0 : time;
}

function readEntry(entry: unknown, where: string): RecordedRequest {
  const request = isObject(entry) ? entry.request : undefined;
  if (!isObject(request)) throw new UsageError(`${where}.request is missing`);
  const method = request.method;
  if (typeof method !== 'string' || method === '') throw new UsageError(`${where}.request.method is missing`);
  const url = readUrl(request.url, `${where}.request.url`);
  const timing = readTiming(entry as Json);
  const headers = readHeaders(request.headers, `${where}.request.headers`);
  const body = readPostData(request.postData, `${where}.request.postData`);
  return {
    method: method.toUpperCase(),
    url,
    target: requestTarget(request.url as string),
    headers,
    ...(body && { body }),
    ...(typeof request.httpVersion === 'string' && { httpVersion: request.httpVersion }),
    ...(timing && { timing }),
  };
}

/** startedDateTime and time (to the response's end), when both are there and make sense. */
function readTiming(entry: Json): RecordedRequest['timing'] {
  const startMs = startOf(entry);
  const durationMs = entry.time;
  if (startMs === 0 || typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) return undefined;
  return { startMs, durationMs };
}

function readUrl(raw: unknown, where: string): URL {
  if (typeof raw !== 'string') throw new UsageError(`${where} is missing`);
  try {
    return new URL(raw);
  } catch {
    throw new UsageError(`${where}: ${JSON.stringify(raw)} is not a URL`);
  }
}

function readHeaders(raw: unknown, where: string): Array<[string, string]> {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new UsageError(`${where} is not a list`);
  return raw.map((h: unknown, i) => {
    if (!isObject(h) || typeof h.name !== 'string' || typeof h.value !== 'string') {
      throw new UsageError(`${where}[${i}]: expected {name, value} strings`);
    }
    return [h.name.toLowerCase(), h.value];
  });
}

function readPostData(raw: unknown, where: string): { text: string; mimeType: string } | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new UsageError(`${where} is not an object`);
  const mimeType = typeof raw.mimeType === 'string' ? raw.mimeType : '';
  if (typeof raw.text === 'string') return { text: raw.text, mimeType };
  // A form recorded as params only (text and params are mutually exclusive in HAR 1.2).
  if (Array.isArray(raw.params)) {
    const form = new URLSearchParams();
    for (const [i, param] of raw.params.entries()) {
      if (!isObject(param) || typeof param.name !== 'string') throw new UsageError(`${where}.params[${i}]: expected {name, value}`);
      if (param.fileName !== undefined) throw new UsageError(`${where}.params[${i}]: an uploaded file (${String(param.fileName)}) has no recorded content`);
      form.append(param.name, typeof param.value === 'string' ? param.value : '');
    }
    return { text: form.toString(), mimeType };
  }
  return undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
