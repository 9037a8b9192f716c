/**
 * Any violation of RFC 7541 in a header block we decode (or a field we cannot encode). For an HTTP/2 connection a decode
 * error is a connection error of type COMPRESSION_ERROR: the dynamic table can no longer be trusted.
 */
export class HpackError extends Error {
  override name = 'HpackError';
  readonly code = 'LOADHTTP_HPACK';
}
