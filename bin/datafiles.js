#!/usr/bin/env node
// The `datafiles` command. The TypeScript sources are compiled to dist/ by `npm run build`
// (run automatically by `npm install` / `npm ci` through the `prepare` script).
import { runCli } from '../dist/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
