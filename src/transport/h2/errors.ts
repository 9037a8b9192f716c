// HTTP/2 errors. A connection error is thrown inside the session while it reads frames and ends the session
// (GOAWAY with its code); what reaches a request is a coded error that result/failure-classes.ts maps to a class.
import { codedError } from '../../util/errors.ts';
import { errorName } from './frames.ts';

/** A violation that ends the whole connection (RFC 9113 §5.4.1): `code` is the HTTP/2 error code sent in GOAWAY. */
export class H2ConnectionError extends Error {
  override name = 'H2ConnectionError';
  readonly h2Code: number;

  constructor(h2Code: number, message: string) {
    super(message);
    this.h2Code = h2Code;
  }
}

/** The codes result/failure-classes.ts maps: protocol-error, goaway, stream-reset, connection-reset. */
export const H2_PROTOCOL = 'LOADHTTP_H2_PROTOCOL';
export const H2_GOAWAY = 'LOADHTTP_H2_GOAWAY';
export const H2_RST = 'LOADHTTP_H2_RST';
export const H2_CLOSED = 'LOADHTTP_H2_CLOSED';

/** The server reset a stream: the error names its code (REFUSED_STREAM: it was not processed). */
export function resetError(streamId: number, h2Code: number): Error {
  return codedError(`the server reset stream ${streamId} with RST_STREAM ${errorName(h2Code)}`, H2_RST);
}
