// The rows of a flow's data file this run (or this worker or shard: its part, PlannedData offset/stride)
// hands to iterations or virtual users.
import type { PlannedData } from '../plan/types.ts';
import { rowAt, rowCount } from '../scenario/data-file.ts';

export class DataRows {
  private readonly data: PlannedData;
  /** Rows of this part: offset, offset + stride, ... below the row count. */
  private readonly mine: number;
  private taken = 0;

  constructor(data: PlannedData) {
    this.data = data;
    this.mine = Math.max(0, Math.ceil((rowCount(data.table) - data.offset) / data.stride));
  }

  /** The next row's variables, or null when the rows ran out (`onExhausted: stop`, or a part without rows). */
  take(): Record<string, string> | null {
    const { data } = this;
    if (data.order === 'random') return rowAt(data.table, Math.floor(Math.random() * rowCount(data.table)));
    if (this.taken >= this.mine) {
      if (data.onExhausted === 'stop' || this.mine === 0) return null;
      this.taken = 0;
    }
    return rowAt(data.table, data.offset + this.taken++ * data.stride);
  }
}
