// The design record is in the repo (docs/), and every comment that cites it names something there:
// a docs file that exists, a decision number that has an entry, a heading or quote the document
// has (docs/contributing.md, "Comments and the design record"). Also: docs/errors.md lists exactly
// the codes of the error catalogue, with their statuses.
//
// The cited forms are built from pieces below, so that this file's own examples are not read as
// citations when the repo is scanned.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERROR_CATALOGUE } from '../src/core/errors.js';
import { findProblems, readDocIndex, readSources, type DocIndex, type Problem, type Source } from './support/docCitations.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where comments may cite the design record: the code, its tests, tools, and the docs themselves. */
const SCANNED = ['src', 'test', 'clients', 'bench', 'scripts', 'docs', 'README.md', 'BENCHMARKS.md', 'eslint.config.js'];

const doc = (name: string): string => ['docs', name].join('/') + '.md';
const DECISIONS = doc('decisions');
const ARCHITECTURE = doc('architecture');

function report(problems: readonly Problem[]): string {
  return problems.map((p) => `  ${p.file}:${p.line}: ${p.citation.trim()}\n    → ${p.problem}`).join('\n');
}

describe('citations of the design record', () => {
  it('every citation in the code, tests, tools and docs names a file, entry, heading or quote that exists', () => {
    const sources = readSources(REPO_ROOT, SCANNED);
    assert.ok(sources.length > 100, `scanned only ${sources.length} files`);
    const problems = findProblems(sources, readDocIndex(REPO_ROOT));
    assert.deepEqual(problems, [], `citations that name nothing:\n${report(problems)}`);
  });

  it('the decision numbers comments have cited since the first release all have entries', () => {
    const { decisions } = readDocIndex(REPO_ROOT);
    const missing = Array.from({ length: 26 }, (_, index) => index + 1).filter((n) => !decisions.has(n));
    assert.deepEqual(missing, []);
  });
});

describe('the citation check itself', () => {
  const files: Record<string, string> = {
    [DECISIONS]: '# Decisions\n\n## Wire format\n\n### 1. Timestamps\n\ntext\n\n2. **Ids** are integers\n',
    [ARCHITECTURE]:
      '# Architecture\n\n## The write path (no partial file)\n\nStream it; never buffer the whole thing.\n\n## Conventions\n\n1. One route per file.\n2. Ids are generated.\n',
    [doc('history')]: '# History\n\n## Issue 3: sessions\n\n1. create\n2. parts\n',
    [doc('decisions/pending')]: '# Pending\n\n30. **A new decision** text\n',
  };
  const docs = (decisions: Record<number, string[]> = { 1: [DECISIONS], 2: [DECISIONS], 30: [doc('decisions/pending')] }): DocIndex => ({
    exists: (relativePath) => relativePath in files,
    read: (relativePath) => files[relativePath],
    decisions: new Map(Object.entries(decisions).map(([n, places]) => [Number(n), places])),
  });
  const problemsOf = (text: string, index = docs()): string[] => findProblems([{ file: 'src/x.ts', text } satisfies Source], index).map((p) => p.problem);

  it('accepts citations of entries, headings, conventions, quotes and issues that exist', () => {
    const text = [
      `// ${DECISIONS} 1, ${DECISIONS} 1–2, ${DECISIONS} 1 and 30, ${DECISIONS}'s rules`,
      `// (${DECISIONS}`,
      '// 2), continued on the next line',
      `// ${ARCHITECTURE}, "The write path"; ${ARCHITECTURE}, convention 2`,
      `// ${ARCHITECTURE}: "never buffer the whole
      //   thing"; ${doc('history')}, issue 3, item 2`,
    ].join('\n');
    assert.deepEqual(problemsOf(text), []);
  });

  it('reports a decision number with no entry, alone, in a range and on the next line', () => {
    assert.deepEqual(problemsOf(`// ${DECISIONS} 3`), [`${DECISIONS} has no entry 3`]);
    assert.deepEqual(problemsOf(`// ${DECISIONS} 1–3`), [`${DECISIONS} has no entry 3`]);
    assert.deepEqual(problemsOf(`/**\n * (${DECISIONS}\n * 2, 31)\n */`), [`${DECISIONS} has no entry 31`]);
  });

  it('reports a docs file that does not exist', () => {
    assert.deepEqual(problemsOf(`// see ${doc('desicions')} 1`), [`${doc('desicions')} does not exist`]);
  });

  it('reports a heading, convention, quote or issue that the document does not have', () => {
    assert.deepEqual(problemsOf(`// ${ARCHITECTURE}, "The read path"`), [`${ARCHITECTURE} has no heading "The read path"`]);
    assert.deepEqual(problemsOf(`// ${ARCHITECTURE}, convention 9`), [`${ARCHITECTURE} has no convention 9`]);
    assert.deepEqual(problemsOf(`// ${ARCHITECTURE}: "buffer everything"`), [`${ARCHITECTURE} does not say "buffer everything"`]);
    assert.deepEqual(problemsOf(`// ${doc('history')}, issue 4`), [`${doc('history')} has no section "Issue 4"`]);
    assert.deepEqual(problemsOf(`// ${doc('history')}, issue 3, item 7`), [`${doc('history')}, issue 3 has no item 7`]);
  });

  it('reports the file names of the design record cited without docs/', () => {
    const bare = 'decisions' + '.md';
    assert.deepEqual(problemsOf(`// ${bare} 1`), [`cite docs/${bare}: the design record is in docs/`]);
  });

  it('reports a decision number defined twice (a pending entry that reuses a merged number)', () => {
    const problems = findProblems([], docs({ 1: [DECISIONS], 2: [DECISIONS, doc('decisions/pending')] }));
    assert.deepEqual(
      problems.map((p) => p.problem),
      [
        `decision 2 is defined more than once (${DECISIONS}, ${doc('decisions/pending')}): renumber one, or delete a pending entry already merged into ${DECISIONS}`,
      ],
    );
  });

  it('reads entries as headings and as numbered lines at the margin, not indented lists', () => {
    const index = readDocIndex(REPO_ROOT);
    assert.ok(index.decisions.has(4) && index.decisions.has(26));
    assert.deepEqual(findProblems([], docs()), []);
  });

  it('reads pending entries from docs/decisions/*.md beside the merged file, ignoring lists inside them', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'doc-citations-'));
    try {
      mkdirSync(path.join(root, 'docs', 'decisions'), { recursive: true });
      writeFileSync(path.join(root, DECISIONS), '# Decisions\n\n### 1. One\n\n### 2. Two\n');
      writeFileSync(
        path.join(root, doc('decisions/hardening')),
        '# Hardening\n\n30. **Limits** are options:\n\n1. first step\n2. second step\n\n### 31. Timeouts\n',
      );
      writeFileSync(path.join(root, doc('decisions/scanning')), '31. **Scans** run in the background\n');
      const index = readDocIndex(root);
      assert.deepEqual(
        [...index.decisions.keys()].sort((a, b) => a - b),
        [1, 2, 30, 31],
      );
      assert.deepEqual(index.decisions.get(1), [DECISIONS]);
      assert.deepEqual(index.decisions.get(31), [doc('decisions/hardening'), doc('decisions/scanning')]);
      assert.deepEqual(problemsOf(`// ${DECISIONS} 30, 31`, index), [
        `decision 31 is defined more than once (${doc('decisions/hardening')}, ${doc('decisions/scanning')}): renumber one, or delete a pending entry already merged into ${DECISIONS}`,
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports a link between docs to a missing file or anchor', () => {
    const link = (target: string): string => `(${target.replace('@', '.')})`;
    const source: Source = {
      file: doc('contributing'),
      text: `See [it]${link('architecture@md#the-write-path-no-partial-file')}, [x]${link('architecture@md#nowhere')} and [y]${link('missing@md')}; [d]${link('decisions@md')} 2 and 9.`,
    };
    assert.deepEqual(
      findProblems([source], docs()).map((p) => p.problem),
      [`${ARCHITECTURE} has no heading with the anchor #nowhere`, `${doc('missing')} does not exist`, `${DECISIONS} has no entry 9`],
    );
  });
});

describe('the error catalogue in the docs', () => {
  it('lists every code of src/core/errors.ts with its status, and no other code', () => {
    const markdown = readFileSync(path.join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
    const documented = new Map([...markdown.matchAll(/^\|\s*`([A-Z][A-Z_]*)`\s*\|\s*(\d{3})\s*\|/gm)].map((match) => [match[1], Number(match[2])]));
    const catalogue = new Map(Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, entry.status as number]));
    const undocumented = [...catalogue].filter(([code]) => !documented.has(code)).map(([code, status]) => `${code} (${status}) has no row in docs/errors.md`);
    const stale = [...documented].filter(([code]) => !catalogue.has(code)).map(([code]) => `docs/errors.md lists ${code}, which the catalogue no longer has`);
    const wrong = [...documented]
      .filter(([code, status]) => catalogue.has(code) && catalogue.get(code) !== status)
      .map(([code, status]) => `docs/errors.md says ${code} is ${status}; the catalogue says ${catalogue.get(code)}`);
    assert.deepEqual([...undocumented, ...stale, ...wrong], []);
  });
});
