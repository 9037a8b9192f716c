// The SETTINGS exchange (RFC 9113 §3.4, §6.5): what a session announces when it connects (the preface, our
// SETTINGS, the connection window opened wide), and the server's settings as its SETTINGS frames arrive,
// checked and kept. Apart from the session because it changes with the settings we support, not with how
// frames are dispatched; the session reads the values kept here when it opens streams and sends frames.
import { H2ConnectionError } from './errors.ts';
import { CONNECTION_WINDOW, INITIAL_CONNECTION_WINDOW, STREAM_WINDOW } from './flow-control.ts';
import type { FrameWriter } from './frame-writer.ts';
import {
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  FLOW_CONTROL_ERROR,
  FRAME_SIZE_ERROR,
  LARGEST_MAX_FRAME_SIZE,
  MAX_WINDOW,
  PREFACE,
  PROTOCOL_ERROR,
  SETTINGS,
  SETTINGS_ENABLE_PUSH,
  SETTINGS_INITIAL_WINDOW_SIZE,
  SETTINGS_MAX_CONCURRENT_STREAMS,
  SETTINGS_MAX_FRAME_SIZE,
  WINDOW_UPDATE,
  readUint32,
} from './frames.ts';
import type { StreamTable } from './stream-table.ts';

/** Our SETTINGS: no server push; our stream window. (Both values stay for the whole session.) */
function settingsPayload(): Buffer {
  const payload = Buffer.alloc(12);
  payload.writeUInt16BE(SETTINGS_ENABLE_PUSH, 0);
  payload.writeUInt32BE(0, 2);
  payload.writeUInt16BE(SETTINGS_INITIAL_WINDOW_SIZE, 6);
  payload.writeUInt32BE(STREAM_WINDOW, 8);
  return payload;
}
const OUR_SETTINGS = settingsPayload();

/** The client's first bytes on a connection: the preface, our SETTINGS, and a WINDOW_UPDATE opening the connection window to CONNECTION_WINDOW. */
export function writePreface(w: FrameWriter): void {
  w.bytes(PREFACE, 0, PREFACE.length);
  const at = w.frame(OUR_SETTINGS.length, SETTINGS, 0, 0);
  OUR_SETTINGS.copy(w.slab, at);
  w.frame32(WINDOW_UPDATE, 0, CONNECTION_WINDOW - INITIAL_CONNECTION_WINDOW);
}

/** The server's settings that shape what we send, at their defaults until its SETTINGS say otherwise. */
export class PeerSettings {
  /** The send window of each new stream (SETTINGS_INITIAL_WINDOW_SIZE). */
  initialWindow = DEFAULT_WINDOW;
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  /** SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until announced; the server's may exceed 2^31). */
  maxStreams = 0xffff_ffff;

  /**
   * Applies the settings in a SETTINGS payload (not an acknowledgement), in order. A change of the initial
   * window applies to every open stream's window (RFC 9113 §6.9.2). Throws H2ConnectionError on a value
   * the RFC forbids. Returns whether a stream window grew (bodies waiting for window may go on).
   */
  apply(buf: Buffer, start: number, end: number, streams: StreamTable): boolean {
    if ((end - start) % 6 !== 0) throw new H2ConnectionError(FRAME_SIZE_ERROR, `a SETTINGS frame of ${end - start} bytes, not a multiple of 6`);
    let windowGrew = false;
    for (let at = start; at < end; at += 6) {
      const value = readUint32(buf, at + 2);
      switch (buf.readUInt16BE(at)) {
        case SETTINGS_ENABLE_PUSH:
          if (value !== 0) throw new H2ConnectionError(PROTOCOL_ERROR, `the server sent SETTINGS_ENABLE_PUSH ${value} (a server may only send 0)`);
          break;
        case SETTINGS_MAX_CONCURRENT_STREAMS:
          this.maxStreams = value;
          break;
        case SETTINGS_INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) throw new H2ConnectionError(FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE ${value} exceeds 2^31-1`);
          const delta = value - this.initialWindow;
          this.initialWindow = value;
          for (const stream of streams.list()) {
            stream.sendWindow += delta;
            if (stream.sendWindow > MAX_WINDOW) throw new H2ConnectionError(FLOW_CONTROL_ERROR, `stream ${stream.id}'s window exceeds 2^31-1 after SETTINGS_INITIAL_WINDOW_SIZE`);
          }
          windowGrew ||= delta > 0;
          break;
        }
        case SETTINGS_MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > LARGEST_MAX_FRAME_SIZE) {
            throw new H2ConnectionError(PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE ${value} outside 16384..16777215`);
          }
          this.maxFrameSize = value;
          break;
        default:
        // SETTINGS_HEADER_TABLE_SIZE: our request blocks never use the server's dynamic table, so any size
        // suits them. SETTINGS_MAX_HEADER_LIST_SIZE is advisory. Unknown settings are ignored (§6.5.2).
      }
    }
    return windowGrew;
  }
}
