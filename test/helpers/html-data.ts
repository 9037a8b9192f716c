// Reads the chart data an HTML report carries for its page script (the JSON in #loadhttp-data).
import assert from 'node:assert/strict';
import type { ChartSpec } from '../../src/report/html/chart-data.ts';

export function chartsOf(html: string): ChartSpec[] {
  const match = /<script type="application\/json" id="loadhttp-data">([^<]*)<\/script>/.exec(html);
  assert.ok(match, 'the page carries its chart data');
  return JSON.parse(match[1]!).charts;
}
