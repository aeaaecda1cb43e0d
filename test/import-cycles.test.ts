// No two modules import each other, directly or through others: in the server (src) and in the
// SDK (clients/sdk/src), type-only imports included. A circle makes the order of module
// initialisation matter and means two files that cannot be understood apart. clients/sdk once had
// client.ts ↔ uploadLargeFile.ts; uploadLargeFile now takes the FilesApiOperations of operations.ts.
//
// Hand-written rather than madge or dpdm: only relative imports of our own .ts files matter here,
// which a regular expression finds, and those tools would bring a dependency tree for it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type ImportGraph = Map<string, string[]>;

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const file = path.join(directory, name);
    if (statSync(file).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : typeScriptFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

/** Each file → the files it imports with a relative specifier (`from './x.js'`, `import('./x.js')`). */
function importGraph(root: string): ImportGraph {
  const files = new Set(typeScriptFiles(root));
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)].map((match) => match[1]);
    const imported = specifiers.map((specifier) => path.resolve(path.dirname(file), `${specifier}.ts`)).filter((target) => files.has(target));
    graph.set(
      path.relative(REPO_ROOT, file),
      imported.map((target) => path.relative(REPO_ROOT, target)),
    );
  }
  return graph;
}

/** Every circle found by a depth-first walk, each as the files along it (first file repeated last). */
function circles(graph: ImportGraph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    trail.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...trail.slice(trail.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    trail.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

describe('import circles', () => {
  for (const root of ['src', 'clients/sdk/src']) {
    it(`${root} has none`, () => {
      const graph = importGraph(path.join(REPO_ROOT, root));
      assert.ok(graph.size > 5, `found only ${graph.size} files under ${root}`);
      assert.deepEqual(
        circles(graph).map((circle) => circle.join(' → ')),
        [],
      );
    });
  }

  it('finds a circle of two files, and one through a third, but not a shared dependency', () => {
    const graph: ImportGraph = new Map([
      ['client.ts', ['upload.ts', 'types.ts']],
      ['upload.ts', ['client.ts', 'types.ts']],
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['types.ts', []],
    ]);
    assert.deepEqual(circles(graph), [
      ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
      ['client.ts', 'upload.ts', 'client.ts'],
    ]);
    assert.deepEqual(
      circles(
        new Map([
          ['x.ts', ['types.ts']],
          ['y.ts', ['types.ts']],
          ['types.ts', []],
        ]),
      ),
      [],
    );
  });
});
