// The page shell: one self-contained HTML file. uPlot's script and stylesheet, the chart data and the
// page script are inlined; a Content-Security-Policy of default-src 'none' forbids any fetch, so the page
// opens from disk and never touches the network.
import { uplotAssets } from './assets.ts';
import type { ChartSpec } from './chart-data.ts';
import { CLIENT_SCRIPT } from './client-script.ts';
import { escapeHtml, jsonForScript } from './escape.ts';

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px 24px 48px; color: #1b1b1b; background: #fff; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.sub { color: #666; margin: 0 0 12px; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f6f6f6; font-weight: 600; } td.num, th.num { text-align: right; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { font-weight: 600; color: #444; } dl.facts dd { margin: 0; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
ul.examples { margin: 0; padding-left: 16px; }
.bad { color: #b3261e; font-weight: 600; } .warn { color: #8a5a00; font-weight: 600; } .good { color: #1e7b34; font-weight: 600; } .dim { color: #666; }
p.banner { padding: 6px 10px; border-radius: 4px; margin: 6px 0; } p.banner.bad { background: #fdecea; } p.banner.warn { background: #fff4d6; }
figure.chart { margin: 12px 0 20px; } figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
article.run { border-top: 3px solid #1f6fb4; margin-top: 32px; }
`;

export interface Page {
  title: string;
  /** The body, HTML already. */
  body: string;
  charts: ChartSpec[];
}

export function renderPage(page: Page): string {
  const uplot = uplotAssets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="loadhttp">
<title>${escapeHtml(page.title)}</title>
<style>${uplot.style}</style>
<style>${STYLE}</style>
</head>
<body>
${page.body}
<script type="application/json" id="loadhttp-data">${jsonForScript({ charts: page.charts })}</script>
<script>${uplot.script}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
