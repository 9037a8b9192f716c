// Reading a scenario file and parsing it as YAML 1.2 (core schema, unique keys, no custom tags), with
// the parser's problems turned into ScenarioErrors at file:line:col. The only importer of the yaml
// library's parser; the scenario readers work on the document it returns (scenario/nodes.ts).
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { YAMLError } from 'yaml';
import { ScenarioError } from '../util/errors.ts';
import { readTextFile } from '../util/read-file.ts';
import { type Ctx, childPath, positionAt, positionOf } from './nodes.ts';

/** The only tags a scenario may carry (YAML 1.2 core schema); anything else is refused, never run. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

export function readScenarioFile(file: string): string {
  return readTextFile(file, (why) => {
    throw new ScenarioError(`cannot read scenario file ${file}: ${why}`);
  });
}

export function parseYaml(text: string, file: string, env: NodeJS.ProcessEnv): Ctx {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    schema: 'core',
    customTags: [],
    version: '1.2',
  });
  const ctx: Ctx = { file, doc, lineCounter, env, aliasesFollowed: 0 };
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const duplicate = problem.code === 'DUPLICATE_KEY' ? keyPathAt(doc.contents, problem.pos[0], '') : undefined;
    const message = duplicate ? `duplicate key \`${duplicate.name}\` (keys must be unique)` : yamlMessage(problem, source);
    throw new ScenarioError(message, positionAt(ctx, problem.pos[0]), duplicate?.path);
  }
  refuseTags(ctx);
  return ctx;
}

/** The yaml library's message without its own location suffix and excerpt (we give file:line:col). */
function yamlMessage(problem: YAMLError, source: string): string {
  const [start, end] = problem.pos;
  if (problem.code === 'TAG_RESOLVE_FAILED') return tagMessage(source.slice(start, end));
  return `invalid YAML: ${problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** The name and dotted path of the map key starting at `offset` (to name a duplicate key). */
function keyPathAt(node: unknown, offset: number, prefix: string): { name: string; path: string } | undefined {
  if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const found = keyPathAt(item, offset, `${prefix}[${i}]`);
      if (found) return found;
    }
  }
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (isNode(pair.key) && pair.key.range?.[0] === offset) return { name, path: childPath(prefix, name) };
    const found = keyPathAt(pair.value, offset, childPath(prefix, name));
    if (found) return found;
  }
  return undefined;
}

function tagMessage(tag: string): string {
  return `tag ${tag} is not accepted (no custom or language tags; write plain YAML values)`;
}

function refuseTags(ctx: Ctx): void {
  visit(ctx.doc, (_key, node) => {
    if (isNode(node) && node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      throw new ScenarioError(tagMessage(node.tag.replace('tag:yaml.org,2002:', '!!')), positionOf(ctx, node));
    }
  });
}
