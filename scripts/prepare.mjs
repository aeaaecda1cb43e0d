// The `prepare` script: npm runs it on `npm install` / `npm ci` in a clone, and before
// `npm pack` / `npm publish`. It builds dist/ (the server, CLI and web interface) and clients/sdk/dist (the SDK,
// bundled into the package) with TypeScript, a devDependency. A production install from a clone
// (`npm ci --omit=dev`) has no TypeScript: then it keeps an existing build, or says how to make
// one, instead of failing the install (docs/decisions.md 55). Packing always builds afresh from a
// clean dist/, so a tarball never carries compiled files of deleted sources.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packing = process.env.npm_command === 'pack' || process.env.npm_command === 'publish';
const built = existsSync(path.join(root, 'dist/cli/main.js')) && existsSync(path.join(root, 'clients/sdk/dist/index.js'));

let tsc;
try {
  tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  tsc = undefined;
}

if (tsc === undefined) {
  if (packing) {
    console.error('datafiles: cannot pack without TypeScript to build dist/: run `npm ci` (with the dev dependencies) first.');
    process.exit(1);
  }
  if (!built) {
    console.warn(
      'datafiles: dist/ is not built and TypeScript is not installed (a production install, --omit=dev).\n' +
        '  To run from this clone: `npm ci && npm run build && npm prune --omit=dev`,\n' +
        '  or install the packed package instead: `npm pack` on a build machine, then `npm install -g ./datafiles-*.tgz`.',
    );
  }
  process.exit(0);
}

if (packing) {
  rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  rmSync(path.join(root, 'clients/sdk/dist'), { recursive: true, force: true });
}
for (const project of ['clients/sdk/tsconfig.json', 'tsconfig.build.json']) {
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, project)], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
// The web interface, bundled by esbuild (a devDependency, present whenever TypeScript is).
const ui = spawnSync(process.execPath, [path.join(root, 'scripts/build-ui.mjs')], { stdio: 'inherit', cwd: root });
if (ui.status !== 0) process.exit(ui.status ?? 1);
