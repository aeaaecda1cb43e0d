#!/usr/bin/env node
// The `datafiles` command. The TypeScript sources are compiled to dist/ by `npm run build` (run
// by `npm install` / `npm ci` in a clone through the `prepare` script; the packed package ships
// dist/ already built).
let runCli;
try {
  ({ runCli } = await import('../dist/cli/main.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/main.js')) throw error;
  process.stderr.write('datafiles: dist/ is not built. In a clone, run `npm ci && npm run build` (TypeScript is a dev dependency).\n');
  process.exit(1);
}

process.exitCode = await runCli(process.argv.slice(2));
