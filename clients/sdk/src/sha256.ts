// SHA-256 of a part. In Node (and other server runtimes) through node:crypto, reached with Node's
// getBuiltinModule so that no `node:` import reaches a browser bundle: it hashes the bytes where
// they lie, as they are read (parts.ts readPartInto). Elsewhere through Web Crypto (crypto.subtle),
// present in browsers (secure contexts), which takes the whole input at once, and copies it
// (docs/decisions.md 173). Either way an upload holds at most `concurrency` parts (16 MiB each by
// default) in memory at a time.

/** An incremental SHA-256 (node:crypto's Hash, as far as this package uses it). */
export interface IncrementalHash {
  update(data: Uint8Array): IncrementalHash;
  digest(encoding: 'hex'): string;
}
type CreateHash = (algorithm: 'sha256') => IncrementalHash;

let nodeCreateHash: CreateHash | null | undefined;

/** node:crypto's createHash in a runtime that offers Node's built-in modules; undefined in a browser. */
function createHashOfRuntime(): CreateHash | undefined {
  if (nodeCreateHash === undefined) {
    const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const crypto =
      typeof runtime?.getBuiltinModule === 'function' ? (runtime.getBuiltinModule('node:crypto') as { createHash?: CreateHash } | undefined) : undefined;
    nodeCreateHash = typeof crypto?.createHash === 'function' ? crypto.createHash : null;
  }
  return nodeCreateHash ?? undefined;
}

/**
 * A new incremental SHA-256 where node:crypto is at hand, i.e. not in a browser; there a part is
 * read, hashed and sent in one pass (uploadLargeFile.ts), which a browser must not do
 * (docs/decisions.md 132). Its digest is hex; upper-case it as sha256Hex does.
 */
export function incrementalSha256(): IncrementalHash | undefined {
  return createHashOfRuntime()?.('sha256');
}

/** Whether node:crypto is at hand (Node, not a browser): request.ts then sends a part's bytes uncopied. */
export function isServerRuntime(): boolean {
  return createHashOfRuntime() !== undefined;
}

function subtle(): SubtleCrypto {
  const crypto = (globalThis as { crypto?: Crypto }).crypto;
  if (!crypto?.subtle) throw new Error('Web Crypto (crypto.subtle) is not available: in a browser it needs a secure context (https or localhost).');
  return crypto.subtle;
}

/** The SHA-256 of `bytes` as upper-case hex, as the server reports hashes (docs/decisions.md 3). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const createHash = createHashOfRuntime();
  if (createHash)
    return createHash('sha256')
      .update(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))
      .digest('hex')
      .toUpperCase();
  const digest = await subtle().digest('SHA-256', bytes as BufferSource);
  let hex = '';
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
  return hex.toUpperCase();
}

export function sameHash(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toUpperCase() === b.toUpperCase();
}
