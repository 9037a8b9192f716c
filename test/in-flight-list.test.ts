import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InFlightList, type Linked } from '../src/transport/in-flight-list.ts';

class Entry implements Linked<Entry> {
  prev: Entry | null = null;
  next: Entry | null = null;
  linked = false;
  readonly id: number;
  constructor(id: number) {
    this.id = id;
  }
}

test('in-flight list: add, delete anywhere, delete twice, size', () => {
  const list = new InFlightList<Entry>();
  const entries = [1, 2, 3, 4].map((id) => new Entry(id));
  for (const entry of entries) list.add(entry);
  list.delete(entries[2]!);
  list.delete(entries[2]!);
  list.delete(entries[3]!);
  assert.equal(list.size, 2);
  assert.deepEqual([...list].map((e) => e.id).sort(), [1, 2]);
  list.add(entries[2]!);
  assert.deepEqual([...list].map((e) => e.id).sort(), [1, 2, 3]);
});

test('in-flight list: deleting entries while iterating (abort settles synchronously) visits every entry once', () => {
  const list = new InFlightList<Entry>();
  for (let id = 0; id < 5; id++) list.add(new Entry(id));
  const seen: number[] = [];
  for (const entry of list) {
    seen.push(entry.id);
    list.delete(entry);
  }
  assert.deepEqual(seen.sort(), [0, 1, 2, 3, 4]);
  assert.equal(list.size, 0);
  assert.deepEqual([...list], []);
});
