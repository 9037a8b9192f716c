// The one colour helper of the renderers: Node's util.styleText, or plain text. Whether to colour is the
// CLI's decision (cli/output.ts: NO_COLOR, FORCE_COLOR, a TTY or not); a renderer takes it as a boolean.
import { styleText } from 'node:util';

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow';

export function painter(color: boolean): Paint {
  // validateStream: false: the caller already decided; empty text stays empty (no stray escapes).
  const style = (format: Style) => (text: string): string => (color && text !== '' ? styleText(format, text, { validateStream: false }) : text);
  return { bold: style('bold'), dim: style('dim'), red: style('red'), green: style('green'), yellow: style('yellow') };
}
