// A data file's rows: CSV with a header row, or JSON lines (one object per line). The bytes are kept
// once, in shared memory, with the offset of each row: worker threads receive the same memory (a
// SharedArrayBuffer is shared, not copied, when a plan is posted to them), and a row is decoded only when
// an iteration takes it. A CSV row is one line (a quoted field may hold commas and "" but no line break).

export interface DataTable {
  format: 'csv' | 'jsonl';
  columns: string[];
  /** The file's bytes (shared memory). */
  bytes: Uint8Array;
  /** Row i is bytes[starts[i], ends[i]) (shared memory). */
  starts: Int32Array;
  ends: Int32Array;
}

const decoder = new TextDecoder();

/** The table of a file's contents, or a message saying what is wrong (with the 1-based line). */
export function buildDataTable(contents: Buffer, jsonLines: boolean): DataTable | string {
  if (contents.length >= 2 ** 31) return 'the file is larger than 2 GiB';
  // Non-empty lines, as offsets straight into typed arrays (a million rows: no object per row).
  let bound = 1;
  for (let at = contents.indexOf(10); at >= 0; at = contents.indexOf(10, at + 1)) bound++;
  const lineStarts = new Int32Array(bound);
  const lineEnds = new Int32Array(bound);
  let lines = 0;
  for (let start = 0; start < contents.length; ) {
    let end = contents.indexOf(10, start);
    if (end < 0) end = contents.length;
    let stop = end;
    if (stop > start && contents[stop - 1] === 13) stop--;
    if (stop > start) {
      lineStarts[lines] = start;
      lineEnds[lines++] = stop;
    }
    start = end + 1;
  }
  if (lines === 0) return 'the file has no rows';
  const lineOf = (offset: number): number => contents.subarray(0, offset).filter((byte) => byte === 10).length + 1;
  const head = decoder.decode(contents.subarray(lineStarts[0]!, lineEnds[0]!));
  let columns: string[];
  if (jsonLines) {
    const first = parseJsonRow(head);
    if (typeof first === 'string') return `line ${lineOf(lineStarts[0]!)}: ${first}`;
    columns = Object.keys(first);
  } else {
    columns = parseCsvLine(head);
    const empty = columns.findIndex((name) => name.trim() === '');
    if (empty >= 0) return `line 1: column ${empty + 1} has no name (the first line names the columns)`;
  }
  const skip = jsonLines ? 0 : 1;
  const rows = lines - skip;
  if (rows === 0) return 'the file has no data rows';
  const bytes = new Uint8Array(new SharedArrayBuffer(contents.length));
  bytes.set(contents);
  const starts = new Int32Array(new SharedArrayBuffer(rows * 4));
  const ends = new Int32Array(new SharedArrayBuffer(rows * 4));
  starts.set(lineStarts.subarray(skip, lines));
  ends.set(lineEnds.subarray(skip, lines));
  const table: DataTable = { format: jsonLines ? 'jsonl' : 'csv', columns, bytes, starts, ends };
  for (let i = 0; i < rows; i++) {
    const problem = checkRow(table, i);
    if (problem !== null) return `line ${lineOf(starts[i]!)}: ${problem}`;
  }
  return table;
}

export function rowCount(table: DataTable): number {
  return table.starts.length;
}

/** Row `index` as variables (column name -> text). */
export function rowAt(table: DataTable, index: number): Record<string, string> {
  const text = decoder.decode(table.bytes.subarray(table.starts[index]!, table.ends[index]!));
  const row: Record<string, string> = {};
  if (table.format === 'jsonl') {
    const data = parseJsonRow(text) as Record<string, unknown>;
    for (const name of table.columns) row[name] = textOf(data[name]);
  } else {
    const values = parseCsvLine(text);
    table.columns.forEach((name, i) => (row[name] = values[i] ?? ''));
  }
  return row;
}

function checkRow(table: DataTable, index: number): string | null {
  const text = decoder.decode(table.bytes.subarray(table.starts[index]!, table.ends[index]!));
  if (table.format === 'jsonl') {
    const data = parseJsonRow(text);
    return typeof data === 'string' ? data : null;
  }
  const count = parseCsvLine(text).length;
  return count === table.columns.length ? null : `${count} fields where the header has ${table.columns.length}`;
}

function parseJsonRow(text: string): Record<string, unknown> | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : 'expected a JSON object per line';
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One CSV line: comma-separated, fields optionally in double quotes with "" for a quote. */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (line[at] === '"') {
      let value = '';
      at++;
      for (;;) {
        const quote = line.indexOf('"', at);
        if (quote < 0) {
          value += line.slice(at);
          at = line.length;
          break;
        }
        value += line.slice(at, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          at = quote + 2;
        } else {
          at = quote + 1;
          break;
        }
      }
      const comma = line.indexOf(',', at);
      fields.push(value);
      if (comma < 0) return fields;
      at = comma + 1;
    } else {
      const comma = line.indexOf(',', at);
      fields.push(comma < 0 ? line.slice(at) : line.slice(at, comma));
      if (comma < 0) return fields;
      at = comma + 1;
    }
  }
}
