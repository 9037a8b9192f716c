// The open streams of one session by id: open addressing over a fixed array, linear probing, deletion by
// backward shift (no tombstones). Replaces a Map, whose backing store was rebuilt every few dozen
// set/delete pairs (an allocation per ~32 requests). Client stream ids are consecutive odd numbers, so
// `(id >>> 1) & mask` spreads the streams in flight over distinct slots; a long-lived stream only makes a
// later one probe a slot further.
import type { H2Stream } from './stream.ts';

export class StreamTable {
  private readonly slots: Array<H2Stream | null>;
  private readonly mask: number;
  size = 0;

  /** `most`: the most streams ever open at once (the table holds twice that, rounded up to a power of 2). */
  constructor(most: number) {
    let capacity = 16;
    while (capacity < most * 2) capacity *= 2;
    this.slots = new Array<H2Stream | null>(capacity).fill(null);
    this.mask = capacity - 1;
  }

  get(id: number): H2Stream | undefined {
    let slot = (id >>> 1) & this.mask;
    for (;;) {
      const stream = this.slots[slot]!;
      if (stream === null) return undefined;
      if (stream.id === id) return stream;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Adds a stream (its id not in the table; the table not full). */
  add(stream: H2Stream): void {
    let slot = (stream.id >>> 1) & this.mask;
    while (this.slots[slot] !== null) slot = (slot + 1) & this.mask;
    this.slots[slot] = stream;
    this.size++;
  }

  delete(stream: H2Stream): boolean {
    const mask = this.mask;
    let slot = (stream.id >>> 1) & mask;
    for (;;) {
      const found = this.slots[slot]!;
      if (found === null) return false;
      if (found === stream) break;
      slot = (slot + 1) & mask;
    }
    // Backward shift: later entries of the probe run move into the hole when their home allows it.
    let hole = slot;
    let next = (hole + 1) & mask;
    for (;;) {
      const moving = this.slots[next]!;
      if (moving === null) break;
      const home = (moving.id >>> 1) & mask;
      // `moving` may fill the hole if its home is not cyclically within (hole, next].
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        this.slots[hole] = moving;
        hole = next;
      }
      next = (next + 1) & mask;
    }
    this.slots[hole] = null;
    this.size--;
    return true;
  }

  /** The streams now, as a new array (the caller may delete while going through it). */
  list(): H2Stream[] {
    const out: H2Stream[] = [];
    for (const stream of this.slots) if (stream !== null) out.push(stream);
    return out;
  }
}
