// What an importer reads out of a recording (a HAR file, a curl command line) before it is turned into
// scenario text: the requests in the order they were made, with their headers as recorded.

export interface RecordedRequest {
  method: string;
  /** Parsed, for the origin; `target` is what was sent. */
  url: URL;
  /** The request target as recorded: path and query, not normalised (requestTarget). */
  target: string;
  /** In recorded order; names lower-cased; a name may repeat (HTTP/2 sends cookies as several headers). */
  headers: Array<[string, string]>;
  /** The body as text with its media type, a local file (curl `-d @file`), or none. */
  body?: { text: string; mimeType: string } | { file: string };
  /** As recorded (HAR `httpVersion`: "HTTP/1.1", "h2", "HTTP/2.0", ...), when known. */
  httpVersion?: string;
  /** When it started (epoch ms) and how long it took to its response's end (ms), when recorded (HAR). */
  timing?: { startMs: number; durationMs: number };
}

export interface Recording {
  /** Where it came from, for the comment at the top of the scenario ("recording.har", "a curl command"). */
  source: string;
  requests: RecordedRequest[];
  /** curl -k / --insecure. */
  insecure?: boolean;
  /** curl --http2 / --http1.1. */
  protocol?: 'h1' | 'h2';
  /** What the importer left out or changed, for the user (printed to stderr). */
  notes: string[];
}

/**
 * The path and query of an absolute URL as written: WHATWG URL parsing would percent-encode `{`, `}`, `"`
 * and more in a path and resolve `.` and `..` segments, so a request would not be sent as recorded. Only
 * what cannot stand in a request line (spaces, controls, non-ASCII) is percent-encoded, as UTF-8; the
 * fragment is dropped (it is never sent).
 */
export function requestTarget(url: string): string {
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/#[^]*$/, '');
  const target = rest.startsWith('/') ? rest : `/${rest}`;
  return target.replace(/[^\x21-\x7e]+/g, (run) => [...Buffer.from(run, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}
