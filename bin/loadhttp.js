#!/usr/bin/env node
// Thin shim: refuse an old Node with one clear line, then hand over to the built CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  console.error(`loadhttp needs Node.js >= 22.19 (this is ${process.version}); install a current Node, or run it through npm scripts, which use the Node 24 this package pins`);
  process.exit(2);
}
const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv.slice(2));
