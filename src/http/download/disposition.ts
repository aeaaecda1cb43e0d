// docs/decisions.md 21: "types that can run script in a browser (HTML, SVG, XML, JavaScript…) are sent
// as attachment; images, PDF, audio, video and plain text may be inline. Filenames in
// Content-Disposition are encoded per RFC 6266/5987" (the content-disposition package does the
// encoding, with an ASCII fallback).
import { create as contentDisposition } from 'content-disposition';

const INLINE_SAFE = [/^image\/(png|jpeg|gif|webp|avif|bmp|x-icon|vnd\.microsoft\.icon|tiff|heic|heif)$/, /^application\/pdf$/, /^audio\//, /^video\//, /^text\/plain$/];

export function isInlineSafe(contentType: string): boolean {
  const essence = contentType.split(';')[0].trim().toLowerCase();
  return INLINE_SAFE.some((pattern) => pattern.test(essence));
}

/** The file's name is a label (docs/decisions.md 9); only the last path segment is offered as a filename. */
export function dispositionFor(input: { name: string; contentType: string; download?: boolean }): string {
  const type = input.download || !isInlineSafe(input.contentType) ? 'attachment' : 'inline';
  const base = input.name.split(/[\\/]/).filter(Boolean).pop() ?? 'download';
  return contentDisposition(base.replace(/[\u0000-\u001f\u007f"]/g, '_') || 'download', { type });
}
