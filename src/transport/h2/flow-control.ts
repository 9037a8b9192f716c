// Flow control (RFC 9113 §5.2, §6.9). Receiving: the window we granted the server, on the connection and on
// each stream; what the server sent is given back in WINDOW_UPDATEs once half the window is used, so a run
// sends few of them (batched), not one per DATA frame. Sending (request bodies): the windows the server grants.

/** Our SETTINGS_INITIAL_WINDOW_SIZE for each stream, and the connection window we open at the start. */
export const STREAM_WINDOW = 1 << 20;
export const CONNECTION_WINDOW = 16 << 20;
/** The connection window before any WINDOW_UPDATE (RFC 9113 §6.9.2). */
export const INITIAL_CONNECTION_WINDOW = 65_535;

export class InboundWindow {
  /** The window granted when all is given back. */
  size = 0;
  /** Bytes the server may still send. */
  available = 0;
  /** Bytes received and not yet given back. */
  private unacked = 0;

  reset(size: number): void {
    this.size = size;
    this.available = size;
    this.unacked = 0;
  }

  /** Counts `bytes` of a DATA frame (padding included); false if the server overran the window. */
  receive(bytes: number): boolean {
    if (bytes > this.available) return false;
    this.available -= bytes;
    this.unacked += bytes;
    return true;
  }

  /** The WINDOW_UPDATE increment due now (0: none yet). */
  due(): number {
    if (this.unacked < this.size >>> 1) return 0;
    const increment = this.unacked;
    this.unacked = 0;
    this.available += increment;
    return increment;
  }
}
