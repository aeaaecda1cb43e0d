// uploadLargeFile: the spec's multipart flow (createSession → uploadPart × N → complete) done the
// way a large file needs: parts of 16 MiB (5 MiB–5 GiB) sent `concurrency` at a time, each with its
// SHA-256 so the server refuses a damaged one; a failed part retried with backoff and, past
// `retries`, the session aborted (spec: "Error Handling and Retry Mechanism"). An upload stopped by
// the caller's AbortSignal (or a crash) leaves its session open: passing its id back as
// `resumeSessionId` sends only the parts the server does not already hold. Files no larger than one
// part go through the single upload (uploadFile / uploadRevision) instead.
//
// Memory: each part is read into memory to hash it, then sent as a slice of the file in a browser
// (docs/decisions.md 132) or as those bytes in Node (docs/decisions.md 173); an upload holds about
// partSize × concurrency bytes (64 MiB with the defaults).
import { DatafilesError } from './errors.js';
import type { FilesApiOperations } from './operations.js';
import { choosePartSize, planParts, readPart, readPartInto, type PartPlan } from './parts.js';
import { abortReason, anySignal, assertRetryPolicy, DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry.js';
import { incrementalSha256, sameHash, sha256Hex } from './sha256.js';
import type { PartUploaded } from './types.js';

export interface UploadProgress {
  /** Bytes the server holds so far (parts sent, and parts found there when resuming). */
  bytesSent: number;
  totalBytes: number;
  partsDone: number;
  partsTotal: number;
}

export interface UploadRetryEvent {
  /** The part being retried; undefined for the commit. */
  index: number | undefined;
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface UploadLargeFileOptions {
  /** The file's name; a File's own name when left out (for a revision: the file's current name). */
  name?: string;
  description?: string;
  /** The file's MIME type; the Blob's type, else application/octet-stream. */
  contentType?: string;
  /** Make a new file readable by every user. */
  public?: boolean;
  /** Upload a new revision of this file instead of a new file. */
  dataFileId?: number;
  /** Bytes per part: 5 MiB–5 GiB, default 16 MiB (grown if the file would need more than 10,000 parts). */
  partSize?: number;
  /** Parts in flight at once; default 4. */
  concurrency?: number;
  /** Retries per part (and for the commit) after its first attempt; default 4. */
  retries?: number;
  /** First backoff in ms (doubles per retry, with jitter); default 250. */
  retryDelayMs?: number;
  /** Longest backoff in ms; default 10,000. */
  maxRetryDelayMs?: number;
  /** Files up to this many bytes use the single upload; default one part's size. 0 forces multipart. */
  singleUploadMaxBytes?: number;
  /** The whole file's SHA-256, if known: the server checks it at commit. */
  sha256?: string;
  /** Resume this session (from onSession, or getSession) instead of starting one. */
  resumeSessionId?: string;
  /** Abort the server's session when the caller's signal aborts; by default it is kept for a resume. */
  abortSessionOnCancel?: boolean;
  /** Told the session's id as soon as it exists: keep it to resume after a crash. */
  onSession?: (sessionId: string) => void;
  onProgress?: (progress: UploadProgress) => void;
  onRetry?: (event: UploadRetryEvent) => void;
  signal?: AbortSignal;
}

export interface UploadLargeFileResult {
  dataFileId: number;
  revisionId: number;
  sizeBytes: number;
  /** 'single' for a file sent in one request, else 'multipart'. */
  method: 'single' | 'multipart';
  /** The multipart session, if one was used. */
  sessionId?: string;
  partsTotal: number;
  /** Parts sent in this call. */
  partsUploaded: number;
  /** Parts the server already held (a resume) and that were not sent again. */
  partsReused: number;
}

const DEFAULT_CONCURRENCY = 4;

function fileNameOf(file: Blob): string | undefined {
  const name = (file as Partial<File>).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function conflict(message: string): DatafilesError {
  return new DatafilesError({ status: 409, statusReason: 'Conflict', message });
}

async function resolveName(client: FilesApiOperations, file: Blob, options: UploadLargeFileOptions): Promise<string> {
  const name = options.name ?? fileNameOf(file);
  if (name) return name;
  if (options.dataFileId !== undefined) return (await client.getFileDetails(options.dataFileId, { signal: options.signal })).name;
  throw new TypeError('uploadLargeFile needs a name (options.name, or a File with a name).');
}

async function singleUpload(
  client: FilesApiOperations,
  file: Blob,
  options: UploadLargeFileOptions,
  report: (bytes: number, parts: number) => void,
): Promise<UploadLargeFileResult> {
  const signal = options.signal;
  const body = options.contentType ? new Blob([file], { type: options.contentType }) : file;
  const filename = fileNameOf(file) ?? options.name;
  report(0, 0);
  let result: { dataFileId: number; revisionId: number };
  if (options.dataFileId !== undefined) {
    const { revisionId } = await client.uploadRevision(options.dataFileId, body, { filename, signal });
    result = { dataFileId: options.dataFileId, revisionId };
  } else {
    const name = await resolveName(client, file, options);
    const { dataFileId } = await client.uploadFile(body, {
      name,
      description: options.description,
      public: options.public,
      filename: filename ?? name,
      signal,
    });
    // uploadFile answers only the file's id; its first revision is the current one.
    const details = await client.getFileDetails(dataFileId, { signal });
    result = { dataFileId, revisionId: details.currentRevision.dataFileRevisionId };
  }
  report(file.size, 1);
  return { ...result, sizeBytes: file.size, method: 'single', partsTotal: 1, partsUploaded: 1, partsReused: 0 };
}

/** The session to send parts to, and the parts it already holds (by index). */
async function openSession(client: FilesApiOperations, file: Blob, options: UploadLargeFileOptions, partsTotal: number, policy: RetryPolicy) {
  if (options.resumeSessionId !== undefined) {
    // Only reads: retried like a part (a resume after a network failure meets the network again).
    const resumeSessionId = options.resumeSessionId;
    const session = await withRetry(() => client.getSession(resumeSessionId, { signal: options.signal }), { policy, signal: options.signal });
    if (session.state === 'COMMITTED' && session.dataFileId !== null && session.revisionId !== null) {
      return {
        sessionId: session.sessionId,
        stored: new Map<number, PartUploaded>(),
        committed: { dataFileId: session.dataFileId, revisionId: session.revisionId },
      };
    }
    if (session.state !== 'OPEN') throw conflict(`Upload session ${session.sessionId} is ${session.state}; it cannot be resumed. Start a new upload.`);
    const beyond = session.parts.filter((part) => part.index > partsTotal);
    if (beyond.length > 0)
      throw conflict(
        `Upload session ${session.sessionId} holds part ${beyond[0].index}, but this file has ${partsTotal} parts: it was started for another file or part size.`,
      );
    return { sessionId: session.sessionId, stored: new Map(session.parts.map((part) => [part.index, part])), committed: undefined };
  }
  const fields = {
    name: await resolveName(client, file, options),
    description: options.description,
    contentType: options.contentType || file.type || 'application/octet-stream',
    signal: options.signal,
  };
  const { sessionId } = options.dataFileId !== undefined ? await client.createUpdateSession(options.dataFileId, fields) : await client.createSession(fields);
  return { sessionId, stored: new Map<number, PartUploaded>(), committed: undefined };
}

/** Abort the session, retrying a little: the spec's last step after a part fails for good. */
async function abandon(client: FilesApiOperations, sessionId: string, policy: RetryPolicy): Promise<void> {
  await withRetry(() => client.abort(sessionId), { policy: { ...policy, retries: Math.min(policy.retries, 2) } }).catch(() => undefined);
}

export async function uploadLargeFile(client: FilesApiOperations, file: Blob, options: UploadLargeFileOptions = {}): Promise<UploadLargeFileResult> {
  const totalBytes = file.size;
  const partSize = choosePartSize(totalBytes, options.partSize);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new RangeError(`concurrency must be an integer from 1 to 64; got ${concurrency}.`);
  const policy: RetryPolicy = {
    retries: options.retries ?? DEFAULT_RETRY_POLICY.retries,
    baseDelayMs: options.retryDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: options.maxRetryDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  };
  assertRetryPolicy(policy);

  const parts = planParts(totalBytes, partSize);
  let bytesSent = 0;
  let partsDone = 0;
  const report = (bytes: number, done: number, total = parts.length || 1) => {
    options.onProgress?.({ bytesSent: bytes, totalBytes, partsDone: done, partsTotal: total });
  };

  const singleMax = options.singleUploadMaxBytes ?? partSize;
  if (options.resumeSessionId === undefined && (totalBytes <= singleMax || totalBytes === 0)) {
    return singleUpload(client, file, options, (bytes, done) => report(bytes, done, 1));
  }
  if (totalBytes === 0) throw conflict('An empty file has no parts to resume.');
  if (options.signal?.aborted) throw abortReason(options.signal);

  const { sessionId, stored, committed } = await openSession(client, file, options, parts.length, policy);
  if (committed) {
    report(totalBytes, parts.length);
    return { ...committed, sizeBytes: totalBytes, method: 'multipart', sessionId, partsTotal: parts.length, partsUploaded: 0, partsReused: parts.length };
  }
  options.onSession?.(sessionId);

  // Stops every part in flight when one fails for good (or the caller aborts).
  const stopAll = new AbortController();
  const signal = anySignal([options.signal, stopAll.signal]);
  let partsUploaded = 0;
  let partsReused = 0;
  let failure: { error: unknown } | undefined;

  const queue: PartPlan[] = [...parts];
  report(0, 0);

  // Node reads each part into a buffer of its own, reused once the part is sent (docs/decisions.md 173).
  const spareBuffers: Uint8Array[] = [];

  async function readAndHash(part: PartPlan): Promise<{ bytes: Uint8Array; checksum: string; release?: () => void }> {
    const hash = incrementalSha256();
    if (!hash) {
      const bytes = new Uint8Array(await readPart(file, part));
      return { bytes, checksum: await sha256Hex(bytes) };
    }
    const buffer = spareBuffers.pop() ?? new Uint8Array(partSize);
    try {
      const { bytes, sha256 } = await readPartInto(file, part, buffer, hash);
      return { bytes, checksum: sha256, release: () => spareBuffers.push(buffer) };
    } catch (error) {
      spareBuffers.push(buffer);
      throw error;
    }
  }

  async function sendPart(part: PartPlan): Promise<void> {
    const { bytes, checksum, release } = await readAndHash(part);
    try {
      await storePart(part, bytes, checksum, release !== undefined);
    } finally {
      // After the request has settled: fetch no longer reads the buffer.
      release?.();
    }
    bytesSent += bytes.byteLength;
    partsDone += 1;
    report(bytesSent, partsDone);
  }

  async function storePart(part: PartPlan, bytes: Uint8Array, checksum: string, sendBytes: boolean): Promise<void> {
    const held = stored.get(part.index);
    if (held && held.sizeBytes === bytes.byteLength && sameHash(held.sha256, checksum)) {
      partsReused += 1;
    } else {
      // In a browser the part goes out as a slice of the file, not as the bytes read to hash it:
      // the browser then streams it from disk rather than copying 16 MiB from the page into each
      // request, which held the page's thread for seconds per part (docs/decisions.md 132). Node
      // sends the bytes already read: one buffer written to the socket, where a Blob would be read
      // from disk again through web streams, 64 KiB at a time (docs/decisions.md 173).
      const body = sendBytes ? bytes : file.slice(part.start, part.end);
      await withRetry(() => client.uploadPart(sessionId, part.index, body, { checksum, signal }), {
        policy,
        signal,
        onRetry: (event) => options.onRetry?.({ index: part.index, ...event }),
      });
      partsUploaded += 1;
    }
  }

  async function worker(): Promise<void> {
    while (!failure && !signal.aborted) {
      const part = queue.shift();
      if (!part) return;
      try {
        await sendPart(part);
      } catch (error) {
        failure ??= { error };
        stopAll.abort(error);
        return;
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, parts.length) }, worker));

  const cancelled = options.signal?.aborted === true;
  if (cancelled || failure) {
    // The caller's own abort keeps the session for a resume unless told otherwise; a part that
    // failed for good ends it (spec: "aborting the session after a specified count").
    if (!cancelled || options.abortSessionOnCancel) await abandon(client, sessionId, policy);
    throw cancelled ? abortReason(options.signal!) : failure!.error;
  }

  let result;
  try {
    // A commit retried after success answers the same ids (docs/decisions.md 23), so retrying is safe.
    result = await withRetry(() => client.complete(sessionId, { totalParts: parts.length, sha256: options.sha256, signal: options.signal }), {
      policy,
      signal: options.signal,
      onRetry: (event) => options.onRetry?.({ index: undefined, ...event }),
    });
  } catch (error) {
    if (!options.signal?.aborted || options.abortSessionOnCancel) await abandon(client, sessionId, policy);
    throw error;
  }
  if (options.public && options.dataFileId === undefined) {
    await withRetry(() => client.updateFilePermissions(result.dataFileId, { publicAccess: true }, { signal: options.signal }), {
      policy,
      signal: options.signal,
    });
  }
  return {
    dataFileId: result.dataFileId,
    revisionId: result.revisionId,
    sizeBytes: totalBytes,
    method: 'multipart',
    sessionId,
    partsTotal: parts.length,
    partsUploaded,
    partsReused,
  };
}
