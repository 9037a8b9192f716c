// Captures: values taken from a kept response (transport `keepResponse`) into a flow's variables.
import type { Capture } from '../scenario/types.ts';
import { evaluateJsonPath } from '../scenario/json-path.ts';
import type { KeptResponse } from '../transport/transport.ts';

/** How much of a capturing step's response body is kept: a capture from beyond it fails, saying so. */
export const KEEP_RESPONSE_BYTES = 1 << 20;

/** A step's captures, with its regular expressions compiled once. */
export class Captures {
  private readonly list: readonly Capture[];
  private readonly patterns: Array<RegExp | null>;

  constructor(list: readonly Capture[]) {
    this.list = list;
    this.patterns = list.map((c) => (c.from === 'regex' ? new RegExp(c.pattern) : null));
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Sets each capture's variable; returns why one failed (the rest are then not taken), or null. */
  apply(response: KeptResponse, values: Map<string, string>): string | null {
    let json: unknown;
    let parsed = false;
    let text: string | null = null;
    for (const [i, capture] of this.list.entries()) {
      let value: string | undefined;
      if (capture.from === 'header') {
        value = response.headers[capture.name];
        if (value === undefined) return `capture ${capture.as}: no ${capture.name} header in the response`;
      } else {
        if (response.truncated) return `capture ${capture.as}: the response body is over ${KEEP_RESPONSE_BYTES} bytes, the most kept`;
        text ??= response.body.toString('utf8');
        if (capture.from === 'regex') {
          const match = this.patterns[i]!.exec(text);
          value = match?.[1];
          if (value === undefined) return `capture ${capture.as}: /${capture.pattern}/ does not match the response body`;
        } else {
          if (!parsed) {
            parsed = true;
            try {
              json = JSON.parse(text);
            } catch {
              return `capture ${capture.as}: the response body is not JSON`;
            }
          }
          const found = evaluateJsonPath(json, capture.path);
          if (found === undefined || found === null) return `capture ${capture.as}: ${capture.expr} is not in the response`;
          value = typeof found === 'string' ? found : JSON.stringify(found);
        }
      }
      values.set(capture.as, value);
    }
    return null;
  }
}
