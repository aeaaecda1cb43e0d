// The examples files are the spec's code blocks, byte for byte, and loading them changes only what
// test/support/specExamples.ts documents. The end-to-end suites run these files through ryuu.js,
// so "the spec's examples work" holds only while the files stay verbatim.
//
// A copy of the spec may sit beside the repo (../shared/spec/files-api.md; see docs/decisions.md).
// Where it is present the files are compared with it; the pinned SHA-256 is checked always, so a
// checkout without the spec cannot pass a file that drifted.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './support/server.js';
import {
  declaredNames,
  DOWNLOADJS_IMPORT,
  EXAMPLE_FILES,
  loadExamples,
  rewriteExamples,
  specCodeBlocks,
  splitExamplesFile,
  type ExampleSet,
} from './support/specExamples.js';

const SPEC = path.resolve(REPO_ROOT, '../shared/spec/files-api.md');

/** SHA-256 of each whole examples file (header comment included), as reviewed against the spec. */
const PINNED: Record<ExampleSet, { sha256: string; names: string[] }> = {
  'files-api': {
    sha256: '9d17c73426eab563fdf8e802271f6288a8aeca2677db608394c682d18f82e6c4',
    names: [
      'uploadFile',
      'uploadRevision',
      'getFileDetailsList',
      'getFileDetails',
      'downloadFile',
      'deleteFile',
      'getFilePermissions',
      'upadateFilePermissions',
    ],
  },
  multipart: {
    sha256: '0c987f8c24a9faf381172db59d341f8ccf5ecfb72b70b5a725999dc66fcb7d40',
    names: ['createSession', 'createUpdateSession', 'uploadPart', 'complete', 'abort'],
  },
};

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

for (const set of Object.keys(EXAMPLE_FILES) as ExampleSet[]) {
  const { file, section } = EXAMPLE_FILES[set];
  const text = readFileSync(file, 'utf8');

  describe(`spec examples: ${path.basename(file)}`, () => {
    // The pinned SHA-256 holds the file wherever the tests run; where the spec is at hand (a
    // checkout beside ../shared, as in development and CI) the file is also compared with it.
    it(`has the pinned SHA-256 and equals the code blocks of the spec's "${section}" section`, () => {
      assert.equal(sha256(text), PINNED[set].sha256, `${file} changed; it must stay the spec's code blocks verbatim`);
      if (!existsSync(SPEC)) return;
      const blocks = specCodeBlocks(readFileSync(SPEC, 'utf8'), section);
      assert.ok(blocks.length > 0, `no code blocks in "${section}"`);
      assert.equal(splitExamplesFile(text).code, blocks.join('\n'));
    });

    it('is one header comment, then code only', () => {
      const { header, code } = splitExamplesFile(text);
      assert.match(header, /^(\/\*|\/\/)/, 'the file starts with its comment header');
      assert.ok(!code.startsWith('//'), 'the header is one comment block followed by a blank line');
    });

    it('is changed by loading only where the loader documents it', () => {
      const before = text.split('\n');
      const after = rewriteExamples(text).split('\n');
      assert.equal(after.length, before.length, 'line numbers are kept');
      for (let index = 0; index < before.length; index += 1) {
        if (before[index] === after[index]) continue;
        const rewrittenExport = before[index] === `export ${after[index]}` && after[index].startsWith('const ');
        const droppedImport = before[index] === DOWNLOADJS_IMPORT && after[index] === '';
        assert.ok(rewrittenExport || droppedImport, `line ${index + 1} was changed: ${JSON.stringify(before[index])} → ${JSON.stringify(after[index])}`);
      }
    });

    it('declares the spec functions, each loadable by name in sloppy mode', () => {
      assert.deepEqual(declaredNames(rewriteExamples(text)), PINNED[set].names);
      const { fns } = loadExamples(set, {});
      assert.deepEqual(Object.keys(fns), PINNED[set].names);
      for (const name of PINNED[set].names) assert.equal(typeof fns[name], 'function', name);
    });
  });
}
