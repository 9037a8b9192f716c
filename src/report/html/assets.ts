// uPlot (MIT, https://github.com/leeoniya/uPlot), the charting library inlined into the HTML report so
// the page opens from disk with no network: its minified script and stylesheet, read from node_modules
// at render time (once per process).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface InlineAssets {
  script: string;
  style: string;
}

let cached: InlineAssets | null = null;

export function uplotAssets(): InlineAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const read = (file: string): string => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
  // Neither file holds a closing tag today; this keeps a future release from ending the element early.
  const script = read('uPlot.iife.min.js').replace(/<\/script/gi, '<\\/script');
  const style = read('uPlot.min.css').replace(/<\/style/gi, '<\\/style');
  cached = { script, style };
  return cached;
}
