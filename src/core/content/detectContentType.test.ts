import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectContentType } from './detectContentType.js';
import { isValidMimeType } from './mimeType.js';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
const PDF = new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n');
const text = (value: string) => new TextEncoder().encode(value);

describe('content type of a single upload (docs/decisions.md 13)', () => {
  it('is recognised from magic bytes first, whatever the name says', async () => {
    assert.equal(await detectContentType({ head: PNG, filenames: ['photo.txt'] }), 'image/png');
    assert.equal(await detectContentType({ head: PDF, filenames: ['report'] }), 'application/pdf');
  });
  it('falls back to the filename extension', async () => {
    const cases: Record<string, string> = {
      'data.csv': 'text/csv',
      'notes.txt': 'text/plain',
      'page.html': 'text/html',
      'app.js': 'text/javascript',
      'style.css': 'text/css',
      'doc.json': 'application/json',
      'sheet.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'slides.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      'image.svg': 'image/svg+xml',
      'README.md': 'text/markdown',
      'song.mp3': 'audio/mpeg',
      'clip.mp4': 'video/mp4',
      'archive.tar': 'application/x-tar',
      'book.epub': 'application/epub+zip',
      'font.woff2': 'font/woff2',
    };
    for (const [name, type] of Object.entries(cases)) {
      assert.equal(await detectContentType({ head: text('plain words'), filenames: [name] }), type, name);
    }
  });
  it("uses the upload's filename before the file's name in Domo", async () => {
    assert.equal(await detectContentType({ head: text('a,b'), filenames: ['x.csv', 'Quarterly report.txt'] }), 'text/csv');
    assert.equal(await detectContentType({ head: text('a,b'), filenames: [undefined, 'Quarterly report.txt'] }), 'text/plain');
  });
  it("then the part's declared type, ignoring application/octet-stream and invalid types", async () => {
    assert.equal(await detectContentType({ head: text('x'), filenames: ['blob'], declaredType: 'text/plain' }), 'text/plain');
    assert.equal(await detectContentType({ head: text('x'), filenames: ['blob'], declaredType: 'not a type' }), 'application/octet-stream');
  });
  it('is application/octet-stream when nothing is known, including for an empty file', async () => {
    assert.equal(await detectContentType({ head: new Uint8Array(), filenames: ['blob'] }), 'application/octet-stream');
  });
});

describe('MIME type syntax (RFC 6838)', () => {
  it('accepts types with parameters and refuses anything else', () => {
    for (const value of ['application/pdf', 'text/plain; charset=utf-8', 'application/vnd.ms-excel', 'multipart/form-data; boundary="a b"'])
      assert.equal(isValidMimeType(value), true, value);
    for (const value of ['', 'pdf', 'text/', '/plain', 'text/plain;', 'a b/c', 'text/plain\r\nX: y']) assert.equal(isValidMimeType(value), false, value);
    // Issue 10: each of these was accepted, then made the file's downloads fail or hang.
    for (const value of [
      'text/plain; x="\u0000"',
      'text/plain; x="\u20ac"',
      'text/plain;\r\n x=y',
      'text/plain\r\n',
      'text/plain; x="\u000b"',
      'text/pl\u00e9in',
    ])
      assert.equal(isValidMimeType(value), false, JSON.stringify(value));
  });
});
