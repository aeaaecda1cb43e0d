// docs/decisions.md 21: "types that can run script in a browser (HTML, SVG, XML, JavaScript…) are sent
// as attachment; images, PDF, audio, video and plain text may be inline. Filenames in
// Content-Disposition are encoded per RFC 6266/5987" (the content-disposition package does the
// encoding, with an ASCII fallback).
import { create as contentDisposition } from 'content-disposition';

/**
 * Characters a download's filename never carries (docs/decisions.md 38): controls (C0, DEL, C1)
 * and the bidirectional controls (U+061C, U+200E/F, U+202A-202E, U+2066-2069: `invoice\u202Efdp.exe`
 * displays as `invoiceexe.pdf`), and the line and paragraph separators. The double quote too,
 * for the quoted ASCII fallback. The stored name keeps them (docs/decisions.md 9).
 */
const NOT_IN_FILENAMES = /[\p{Cc}\p{Bidi_Control}\u2028\u2029"]/gu;

const INLINE_SAFE = [
  /^image\/(png|jpeg|gif|webp|avif|bmp|x-icon|vnd\.microsoft\.icon|tiff|heic|heif)$/,
  /^application\/pdf$/,
  /^audio\//,
  /^video\//,
  /^text\/plain$/,
];

export function isInlineSafe(contentType: string): boolean {
  const essence = contentType.split(';')[0].trim().toLowerCase();
  return INLINE_SAFE.some((pattern) => pattern.test(essence));
}

/** The file's name is a label (docs/decisions.md 9); only the last path segment is offered as a filename. */
export function dispositionFor(input: { name: string; contentType: string; download?: boolean }): string {
  const type = input.download || !isInlineSafe(input.contentType) ? 'attachment' : 'inline';
  const base = input.name.split(/[\\/]/).filter(Boolean).pop() ?? 'download';
  return contentDisposition(base.replace(NOT_IN_FILENAMES, '_') || 'download', { type });
}
