// What an importer reads out of a recording (a HAR file, a curl command line) before it is turned into
// scenario text: the requests in the order they were made, with their headers as recorded.

export interface RecordedRequest {
  method: string;
  url: URL;
  /** In recorded order; names lower-cased; a name may repeat (HTTP/2 sends cookies as several headers). */
  headers: Array<[string, string]>;
  /** The body as text with its media type, a local file (curl `-d @file`), or none. */
  body?: { text: string; mimeType: string } | { file: string };
  /** As recorded (HAR `httpVersion`: "HTTP/1.1", "h2", "HTTP/2.0", ...), when known. */
  httpVersion?: string;
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
