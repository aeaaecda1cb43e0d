// Test content and what the server must report about it: hashes as the wire carries them
// (docs/decisions.md 3: upper-case hex), and small files whose type the server recognises by magic bytes.
import { createHash, randomBytes } from 'node:crypto';

export type Bytes = Uint8Array;

/** MD5 of the bytes, upper-case hex (the wire's `md5Hash`). */
export function md5Hex(bytes: Bytes | string): string {
  return createHash('md5').update(bytes).digest('hex').toUpperCase();
}

/** SHA-256 of the bytes, upper-case hex (the wire's `sha256HashValue`). */
export function sha256Hex(bytes: Bytes | string): string {
  return createHash('sha256').update(bytes).digest('hex').toUpperCase();
}

/** `size` random bytes (incompressible, and every byte value likely present). */
export function randomContent(size: number): Buffer {
  return randomBytes(size);
}

/** A small but well-formed PDF (its `%PDF-` magic makes the server type it application/pdf). */
export function pdfContent(label = 'datafiles test'): Buffer {
  const body = `%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Title (${label}) >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A PNG signature and IHDR chunk followed by random bytes (typed image/png by magic bytes). */
export function pngContent(extra = 64): Buffer {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = Buffer.from([
    0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
  ]);
  return Buffer.concat([signature, ihdr, randomBytes(extra)]);
}

/** The bytes of a Blob (e.g. what a download handed to `Download`). */
export async function blobBytes(blob: Blob): Promise<Buffer> {
  return Buffer.from(await blob.arrayBuffer());
}

/** A browser-style File holding these bytes (Node's global File; `type` as a browser would set it). */
export function fileOf(content: Bytes | string, name: string, type?: string): File {
  return new File([content as BlobPart], name, type === undefined ? undefined : { type });
}
