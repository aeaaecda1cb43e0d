// Runs the spec's code examples as written. test/spec-examples/*.examples.js hold the JavaScript
// code blocks of the spec (Domo's "Files API" page, see docs/decisions.md) byte for byte
// (test/spec-examples.test.ts checks that); this module evaluates them against a `domo` (ryuu.js,
// see ./ryuu.ts) and hands back their functions by name.
//
// The examples are browser snippets, not a module: they use `public` as a parameter name (a reserved
// word in strict mode, so they must run in SLOPPY mode, i.e. as a classic script, not an ES module),
// and some carry `import`/`export`. Only these mechanical rewrites are applied before evaluating:
//   1. `export ` is dropped where it starts a line before `const` (`export const f = …` → `const f = …`);
//   2. the line `import Download from "downloadjs";` becomes an empty line, and `Download` is given
//      as a global that records its `(data, filename)` calls (downloadjs only opens a browser's
//      save-as dialog, which has no meaning in Node).
// Line numbers are kept, so a stack trace points at the same line of the examples file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { REPO_ROOT } from './server.js';

export const SPEC_EXAMPLES_DIR = path.join(REPO_ROOT, 'test/spec-examples');

/** The examples files, and the section of the spec each one copies. */
export const EXAMPLE_FILES = {
  'files-api': { file: path.join(SPEC_EXAMPLES_DIR, 'files-api.examples.js'), section: 'Files API' },
  multipart: { file: path.join(SPEC_EXAMPLES_DIR, 'multipart.examples.js'), section: 'Multi-part Files API' },
} as const;

export type ExampleSet = keyof typeof EXAMPLE_FILES;

/** What the spec's `Download(data, filename)` was called with, in call order. */
export interface DownloadCall {
  data: unknown;
  filename: unknown;
}

export interface LoadedExamples {
  /** The spec's functions by name (uploadFile, getFileDetailsList, createSession, …). */
  fns: Record<string, (...args: any[]) => Promise<any>>;
  /** Calls made to the injected `Download`. */
  downloads: DownloadCall[];
  /** The source as evaluated (after the rewrites). */
  source: string;
}

export const DOWNLOADJS_IMPORT = 'import Download from "downloadjs";';

/** The documented rewrites, and nothing else (see the header of this file). */
export function rewriteExamples(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === DOWNLOADJS_IMPORT ? '' : line.replace(/^export (?=const )/, '')))
    .join('\n');
}

/** Names of the top-level functions and consts the examples declare, in order. */
export function declaredNames(source: string): string[] {
  return [...source.matchAll(/^(?:function\s+([A-Za-z_$][\w$]*)|const\s+([A-Za-z_$][\w$]*))/gm)].map((match) => match[1] ?? match[2]);
}

/**
 * Evaluates an examples file in a fresh context whose only globals (beside JavaScript's own) are
 * `domo`, `FormData`, `URLSearchParams` and `Download`: what the examples use, and no more.
 */
export function loadExamples(set: ExampleSet, domo: unknown): LoadedExamples {
  const { file } = EXAMPLE_FILES[set];
  const source = rewriteExamples(readFileSync(file, 'utf8'));
  const downloads: DownloadCall[] = [];
  const Download = (data: unknown, filename: unknown) => {
    downloads.push({ data, filename });
  };
  const context = vm.createContext({ domo, FormData, URLSearchParams, Download });
  // A classic script: sloppy mode unless it says "use strict" (the examples do not).
  new vm.Script(source, { filename: file }).runInContext(context);
  const names = declaredNames(source);
  // Top-level `const`s are not properties of the global object, but a later script in the same
  // context sees them, as it sees the function declarations.
  const fns = new vm.Script(`({ ${names.join(', ')} })`, { filename: `${file}#exports` }).runInContext(context) as LoadedExamples['fns'];
  for (const name of names) {
    if (typeof fns[name] !== 'function') throw new Error(`${path.basename(file)}: ${name} is not a function`);
  }
  return { fns, downloads, source };
}

/** The bodies of the ```js / ```javascript code blocks of one top-level section of the spec, in order. */
export function specCodeBlocks(markdown: string, section: string): string[] {
  const sections = markdown.split(/^(?=# )/m);
  const wanted = sections.find((text) => text.startsWith(`# ${section}\n`));
  if (wanted === undefined) throw new Error(`the spec has no section "# ${section}"`);
  return [...wanted.matchAll(/^```(?:js|javascript)\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

/**
 * Splits an examples file into its header (comment lines, `//` or a one-line block comment, ended by a
 * blank line) and the rest, which must be the spec's code blocks joined by one blank line.
 */
export function splitExamplesFile(text: string): { header: string; code: string } {
  const match = /^((?:(?:\/\/[^\n]*|\/\*[^\n]*\*\/)\n)+)\n/.exec(text);
  if (!match) return { header: '', code: text };
  return { header: match[0], code: text.slice(match[0].length) };
}
