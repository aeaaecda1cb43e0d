import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dispositionFor, isInlineSafe } from './disposition.js';

describe('Content-Disposition of downloads (docs/decisions.md 21)', () => {
  it('sends types that can run script as attachments', () => {
    for (const type of ['text/html', 'image/svg+xml', 'application/xml', 'text/xml', 'application/javascript', 'text/javascript', 'application/xhtml+xml']) {
      assert.equal(isInlineSafe(type), false, type);
      assert.match(dispositionFor({ name: 'x', contentType: type }), /^attachment/, type);
    }
  });
  it('lets images, PDF, audio, video and plain text be inline', () => {
    for (const type of ['image/png', 'image/jpeg', 'application/pdf', 'audio/mpeg', 'video/mp4', 'text/plain', 'text/plain; charset=utf-8']) {
      assert.match(dispositionFor({ name: 'x', contentType: type }), /^inline/, type);
    }
  });
  it('is an attachment whatever the type when a download is asked for', () => {
    assert.match(dispositionFor({ name: 'a.png', contentType: 'image/png', download: true }), /^attachment/);
  });
  it('encodes non-ASCII names per RFC 5987 with an ASCII fallback', () => {
    const header = dispositionFor({ name: 'résumé €.pdf', contentType: 'application/pdf' });
    assert.match(header, /filename="r\?sum\? \?\.pdf"/);
    assert.match(header, /filename\*=UTF-8''r%C3%A9sum%C3%A9%20%E2%82%AC\.pdf/);
  });
  it('offers only the last segment of a path-like name, with quotes and controls neutralised', () => {
    assert.equal(dispositionFor({ name: '../../etc/passwd', contentType: 'text/plain' }), 'inline; filename=passwd');
    assert.doesNotMatch(dispositionFor({ name: 'a"b\r\nc.txt', contentType: 'text/plain' }), /[\r\n]|a"b/);
  });
  it('neutralises bidirectional and C1 controls in both filename forms (docs/decisions.md 38)', () => {
    for (const control of [
      '\u202E',
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u200E',
      '\u200F',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u061C',
      '\u0085',
      '\u009B',
      '\u2028',
    ]) {
      const header = dispositionFor({ name: `invoice${control}fdp.exe`, contentType: 'application/octet-stream' });
      assert.equal(header, 'attachment; filename=invoice_fdp.exe', JSON.stringify(control));
      assert.doesNotMatch(decodeURIComponent(header), new RegExp(control), JSON.stringify(control));
    }
  });
});
