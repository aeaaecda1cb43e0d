// SHA-256 through Web Crypto (crypto.subtle), present in browsers (secure contexts) and Node 20.
// subtle.digest takes the whole input at once, so a part is hashed from its bytes in memory: an
// upload holds at most `concurrency` parts (16 MiB each by default) at a time.

function subtle(): SubtleCrypto {
  const crypto = (globalThis as { crypto?: Crypto }).crypto;
  if (!crypto?.subtle) throw new Error('Web Crypto (crypto.subtle) is not available: in a browser it needs a secure context (https or localhost).');
  return crypto.subtle;
}

/** The SHA-256 of `bytes` as upper-case hex, as the server reports hashes (docs/decisions.md 3). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await subtle().digest('SHA-256', bytes as BufferSource);
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return hex.toUpperCase();
}

export function sameHash(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toUpperCase() === b.toUpperCase();
}
