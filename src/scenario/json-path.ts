// The JSON path subset captures take: `$`, then `.name`, `[0]`, `['name']` or `["name"]` steps
// ($.token, $.items[0].id, $['x-y']). Parsed once when the scenario is read; evaluated per response.
// Small enough to own: a library would bring filters and wildcards a capture has no use for.

export type JsonPath = ReadonlyArray<string | number>;

/** The steps of `text`, or a message saying what is wrong with it. */
export function parseJsonPath(text: string): JsonPath | string {
  if (!text.startsWith('$')) return 'a JSON path starts with $ (e.g. $.token, $.items[0].id)';
  const steps: Array<string | number> = [];
  let at = 1;
  while (at < text.length) {
    const rest = text.slice(at);
    const dotted = /^\.([A-Za-z_$][\w$-]*)/.exec(rest);
    const indexed = /^\[(\d+)\]/.exec(rest);
    const quoted = /^\[(?:'([^']*)'|"([^"]*)")\]/.exec(rest);
    if (dotted) steps.push(dotted[1]!);
    else if (indexed) steps.push(Number(indexed[1]));
    else if (quoted) steps.push(quoted[1] ?? quoted[2]!);
    else return `cannot read ${JSON.stringify(rest)} (use .name, [0] or ['name'] steps)`;
    at += (dotted ?? indexed ?? quoted)![0].length;
  }
  return steps;
}

/** The value at `path` in `data`, or undefined when a step finds nothing. */
export function evaluateJsonPath(data: unknown, path: JsonPath): unknown {
  let current = data;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (Array.isArray(current) || !Object.hasOwn(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}
