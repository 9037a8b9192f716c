// What an HTTP field may hold: its name is a token; its value is bytes (RFC 9110 §5.5: visible ASCII, space, tab
// and obs-text 0x80-0xFF); a string's characters up to U+00FF are those bytes one for one (latin1), as
// both transports of our own and undici write them. A character above U+00FF has no byte: rather than
// send some encoding of it (a silent change of what is measured; latin1 would truncate € to 0xAC), it
// is refused where the value comes from, as curl and undici do. CR, LF and NUL would end the header line
// (request smuggling).

const FORBIDDEN = /[\r\n\0]|[^\0-\xff]/u;

/** Why `value` cannot be sent as a header value (e.g. `it contains "€" (U+20AC), ...`), or null. */
export function fieldValueProblem(value: string): string | null {
  const found = FORBIDDEN.exec(value)?.[0];
  if (found === undefined) return null;
  if (found === '\r' || found === '\n' || found === '\0') return 'it contains a line break or NUL';
  const code = `U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return `it contains ${JSON.stringify(found)} (${code}), above U+00FF: a header value is bytes, one per character up to U+00FF (encode it, e.g. percent-encode, to send it)`;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `text` is an HTTP token (RFC 9110): header names and methods. */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}
