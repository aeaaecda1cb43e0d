// docs/decisions.md 13: "contentType of a single upload: the file's magic bytes if recognised, else its
// filename extension, else the part's declared type, else application/octet-stream."
import { fileTypeFromBuffer } from 'file-type';
import mime from 'mime-types';
import { isValidMimeType } from './mimeType.js';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export async function detectContentType(input: { head: Uint8Array; filenames: readonly (string | undefined)[]; declaredType?: string }): Promise<string> {
  const fromMagic = input.head.length > 0 ? await fileTypeFromBuffer(input.head) : undefined;
  if (fromMagic) return fromMagic.mime;
  for (const filename of input.filenames) {
    const fromExtension = filename ? mime.lookup(filename) : false;
    if (fromExtension !== false) return fromExtension;
  }
  const declared = input.declaredType?.trim().toLowerCase();
  // Browsers declare application/octet-stream when they know nothing: that is no information.
  if (declared && declared !== DEFAULT_CONTENT_TYPE && isValidMimeType(declared)) return declared;
  return DEFAULT_CONTENT_TYPE;
}
