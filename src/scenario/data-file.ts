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
  const lines: Array<[number, number, number]> = [];
  let line = 0;
  for (let start = 0; start < contents.length; ) {
    let end = contents.indexOf(10, start);
    if (end < 0) end = contents.length;
    line++;
    let stop = end;
    if (stop > start && contents[stop - 1] === 13) stop--;
    if (stop > start) lines.push([start, stop, line]);
    start = end + 1;
  }
  const shared = new Uint8Array(new SharedArrayBuffer(contents.length));
  shared.set(contents);
  const [head, ...rows] = lines;
  if (head === undefined) return 'the file has no rows';
  let columns: string[];
  if (jsonLines) {
    const first = parseJsonRow(decoder.decode(contents.subarray(head[0], head[1])));
    if (typeof first === 'string') return `line ${head[2]}: ${first}`;
    columns = Object.keys(first);
    rows.unshift(head);
  } else {
    columns = parseCsvLine(decoder.decode(contents.subarray(head[0], head[1])));
    const empty = columns.findIndex((name) => name.trim() === '');
    if (empty >= 0) return `line 1: column ${empty + 1} has no name (the first line names the columns)`;
  }
  if (rows.length === 0) return 'the file has no data rows';
  const starts = new Int32Array(new SharedArrayBuffer(rows.length * 4));
  const ends = new Int32Array(new SharedArrayBuffer(rows.length * 4));
  const table: DataTable = { format: jsonLines ? 'jsonl' : 'csv', columns, bytes: shared, starts, ends };
  for (const [i, [start, end, at]] of rows.entries()) {
    starts[i] = start;
    ends[i] = end;
    const problem = checkRow(table, i);
    if (problem !== null) return `line ${at}: ${problem}`;
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
