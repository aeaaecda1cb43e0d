// docs/decisions.md 21: a strong ETag (the SHA-256) and If-None-Match → 304; If-Range keeps a Range
// only while the representation is the one the client has (RFC 9110 §13.1.2, §13.1.5).

export function etagOf(sha256: string): string {
  return `"${sha256}"`;
}

function listedTags(header: string): string[] {
  return header.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
}

export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return listedTags(header).includes(etag);
}

/** If-Range with our ETag, or with a date not older than Last-Modified, keeps the Range. */
export function rangeStillValid(header: string | undefined, etag: string, lastModifiedMs: number): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  const date = Date.parse(value);
  return Number.isFinite(date) && Math.floor(lastModifiedMs / 1000) * 1000 <= date;
}
