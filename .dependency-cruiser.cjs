// The layering of src/ (see docs and design notes): each stage folder imports only the folders listed
// before it, never after it, and there are no import circles. Checked by `npm test` (test/layers.test.ts).
// Bottom to top:
const LAYERS = ['util', 'result', 'scenario', 'plan', 'transport', 'record', 'engine', 'judge', 'report', 'cli'];

/** Rules forbidding layer i to import any layer above it. */
const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-upward-from-${layer}`,
  comment: `src/${layer}/ may import only ${LAYERS.slice(0, i).map((l) => `src/${l}/`).join(', ') || 'nothing in src/'} (and itself)`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'import circles hide which module depends on which',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...upward,
    {
      name: 'reports-read-results-only',
      comment: 'renderers are pure functions of a RunResult (and the util/ formatting helpers): they import nothing between result/ and report/',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: '^src/(scenario|plan|transport|record|engine|judge)/' },
    },
    {
      name: 'no-loose-files',
      comment: 'every module lives in a stage folder: none at the top of src/ imports, is imported, or stands alone',
      severity: 'error',
      from: { path: '^src/[^/]+$' },
      to: {},
    },
    {
      name: 'no-loose-files-imported',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/[^/]+$' },
    },
    {
      name: 'no-loose-files-alone',
      severity: 'error',
      from: { orphan: true, path: '^src/[^/]+$' },
      to: {},
    },
    {
      name: 'src-never-imports-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bin)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    // Type-only imports are edges too: a type that lives in the wrong folder is a wrong-way dependency.
    tsPreCompilationDeps: true,
    moduleSystems: ['es6'],
    // TypeScript 7's package has no compiler API for dependency-cruiser to parse with: swc parses the .ts.
    parser: 'swc',
  },
};
