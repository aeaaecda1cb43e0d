// Builds the web interface (ui/) into dist/ui: esbuild bundles ui/src/main.tsx (Preact, TSX) into
// one minified ES module, the page and its stylesheet are copied beside it, and each file gets a
// gzip twin that the server sends to browsers that accept it (docs/decisions.md 111). Prints the
// gzipped size of the JavaScript, which issue 15 bounds at 100 KB. Run by `npm run build` and by
// the `prepare` script; needs esbuild, a devDependency.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/ui');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(root, 'ui/src/main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: path.join(root, 'ui/tsconfig.json'),
  outfile: path.join(out, 'app.js'),
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
await build({
  entryPoints: [path.join(root, 'ui/app.css')],
  bundle: true,
  minify: true,
  outfile: path.join(out, 'app.css'),
  logLevel: 'warning',
});
copyFileSync(path.join(root, 'ui/index.html'), path.join(out, 'index.html'));

let scriptGzip = 0;
for (const name of readdirSync(out)) {
  if (name.endsWith('.map')) continue;
  const bytes = readFileSync(path.join(out, name));
  const gzipped = gzipSync(bytes, { level: 9 });
  writeFileSync(path.join(out, `${name}.gz`), gzipped);
  if (name.endsWith('.js')) scriptGzip += gzipped.length;
}
if (process.env.DATAFILES_QUIET_BUILD !== '1') console.log(`web interface: dist/ui, JavaScript ${(scriptGzip / 1024).toFixed(1)} KB gzipped`);
