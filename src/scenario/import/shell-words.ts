// Splitting one command line into words as a POSIX shell does: 'single' and "double" quotes, $'ANSI-C'
// quotes (browsers' "Copy as cURL" writes them), backslash escapes and `\`-newline continuations. Nothing
// is expanded: a $VAR stays as written. A second command (`;`, `&&`, `|`, an unescaped newline) is refused.
import { UsageError } from '../../util/errors.ts';

/** The escapes of $'...' (bash): \n, \t, \xHH, \uHHHH, \0NNN, \\ and \' among them. */
const ANSI_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const end = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\') {
      if (line[i + 1] === '\n') i += 2; // continuation
      else if (line.startsWith('\r\n', i + 1)) i += 3;
      else {
        if (i + 1 >= line.length) throw new UsageError('the command line ends with a lone backslash');
        word += line[i + 1];
        inWord = true;
        i += 2;
      }
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new UsageError(`unterminated single quote at character ${i + 1} of the command line`);
      word += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '$' && line[i + 1] === "'") {
      const [text, next] = ansiQuoted(line, i + 2);
      word += text;
      inWord = true;
      i = next;
    } else if (c === '"') {
      const [text, next] = doubleQuoted(line, i + 1);
      word += text;
      inWord = true;
      i = next;
    } else if (c === ' ' || c === '\t') {
      end();
      i += 1;
    } else if (c === '\n' || c === '\r') {
      end();
      // Trailing blank lines are fine; a second line with a command on it is not.
      if (line.slice(i).trim() !== '') throw new UsageError('the text holds more than one command line; give one curl command');
      i = line.length;
    } else if (c === ';' || c === '&' || c === '|' || c === '<' || c === '>') {
      throw new UsageError(`unquoted ${JSON.stringify(c)} at character ${i + 1}: give one curl command, without shell operators`);
    } else {
      word += c;
      inWord = true;
      i += 1;
    }
  }
  end();
  return words;
}

/** "..." from `start` (after the quote): \ escapes only $ ` " \ and newline. Returns the text and the index after the quote. */
function doubleQuoted(line: string, start: number): [string, number] {
  let text = '';
  for (let i = start; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') return [text, i + 1];
    if (c === '\\' && '$`"\\\n'.includes(line[i + 1] ?? '')) {
      if (line[i + 1] !== '\n') text += line[i + 1];
      i += 1;
    } else text += c;
  }
  throw new UsageError(`unterminated double quote at character ${start} of the command line`);
}

/** $'...' from `start` (after the quote). */
function ansiQuoted(line: string, start: number): [string, number] {
  let text = '';
  for (let i = start; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") return [text, i + 1];
    if (c !== '\\') {
      text += c;
      continue;
    }
    const e = line[i + 1] ?? '';
    const hex = e === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(line.slice(i + 2)) : e === 'u' ? /^[0-9a-fA-F]{1,4}/.exec(line.slice(i + 2)) : null;
    const octal = /^[0-7]{1,3}/.exec(line.slice(i + 1));
    if (hex) {
      text += String.fromCodePoint(parseInt(hex[0], 16));
      i += 1 + hex[0].length;
    } else if (octal) {
      text += String.fromCodePoint(parseInt(octal[0], 8));
      i += octal[0].length;
    } else if (e in ANSI_ESCAPES) {
      text += ANSI_ESCAPES[e];
      i += 1;
    } else {
      text += `\\${e}`;
      i += 1;
    }
  }
  throw new UsageError(`unterminated $' quote at character ${start - 1} of the command line`);
}
