// `loadhttp import har FILE` / `loadhttp import curl 'curl ...'`: a recording turned into a scenario,
// printed to stdout; the environment variables it needs and what was left out go to stderr.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stderr, stdout } from './output.ts';
import { parseCurl } from '../scenario/import/curl.ts';
import { parseHar } from '../scenario/import/har.ts';
import type { Recording } from '../scenario/import/recording.ts';
import { toScenario } from '../scenario/import/to-scenario.ts';
import { UsageError } from '../util/errors.ts';
import { readTextFile } from '../util/read-file.ts';

const FORMATS = ['har', 'curl'];

export function addImportCommand(program: Command): void {
  program
    .command('import')
    .argument('<format>', `what to import: ${FORMATS.join(' or ')}`)
    .argument('<input>', 'har: a HAR file; curl: the command, quoted as one argument ("-": read either from stdin)')
    .description('turn a recording (HAR file, curl command) into a scenario, printed to stdout')
    .option('--no-think', 'leave out the pauses recorded between steps (HAR: written as each step\'s think:)')
    .addHelpText(
      'after',
      `
The requests to the most frequent origin are kept with their headers (less the hop-by-hop ones and
browser-only hints) as the steps of a flow, in recorded order; a pause of 100 ms or more recorded after a
step becomes its think time. A single request becomes a requests: entry. Credentials (authorization,
cookie, x-api-key, ... headers and query or body fields so named) become \${ENV} references; stderr lists
the variables to set.

Examples:
  $ loadhttp import har recording.har > scenario.yaml
  $ loadhttp import curl 'curl -X POST https://127.0.0.1:8443/items -H "authorization: Bearer abc" --json "{\\"name\\":\\"x\\"}"'`,
    )
    .action((format: string, input: string, options: { think: boolean }) => {
      const recording = read(format, input);
      const imported = toScenario(recording, { think: options.think });
      stdout.write(imported.text);
      for (const note of imported.notes) stderr.write(`loadhttp import: ${note}\n`);
      if (imported.env.length > 0) {
        stderr.write('loadhttp import: set these environment variables before running the scenario:\n');
        for (const v of imported.env) stderr.write(`  ${v.name}: ${v.what}\n`);
      }
    });
}

function read(format: string, input: string): Recording {
  if (format === 'har') {
    const text = input === '-' ? readStdin() : readTextFile(input, (why) => { throw new UsageError(`cannot read HAR file ${input}: ${why}`); });
    return parseHar(text, input === '-' ? 'stdin' : input);
  }
  if (format === 'curl') return parseCurl(input === '-' ? readStdin() : input);
  throw new UsageError(`unknown import format ${JSON.stringify(format)} (accepted: ${FORMATS.join(', ')})`);
}

function readStdin(): string {
  return readFileSync(0, 'utf8');
}
