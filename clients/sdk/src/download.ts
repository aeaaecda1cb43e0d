// spec: "Download a file": GET /{dataFileId} (current revision) or /{dataFileId}/revisions/{revisionId}.
// docs/decisions.md 21: Range → 206 with Content-Range, a strong ETag that is the SHA-256,
// If-None-Match → 304. The body comes back as the caller asks: a stream (read as it arrives, for
// large files) or a Blob (as the spec's example does).
import type { RequestSpec, Send } from './request.js';

/** Bytes start..end (inclusive), start.. to the end, or the last `suffix` bytes. */
export type ByteRange = { start: number; end?: number } | { suffix: number };

export interface DownloadOptions {
  revisionId?: number;
  range?: ByteRange;
  /** An ETag the caller holds: an unchanged file answers 304 with no body. */
  ifNoneMatch?: string;
  signal?: AbortSignal;
}

export interface DownloadInfo {
  /** 200 (whole file), 206 (the range asked for) or 304 (unchanged). */
  status: number;
  contentType: string;
  /** Bytes in this answer's body, when the server said. */
  contentLength: number | undefined;
  /** The whole revision's size: from Content-Range on a 206, else Content-Length. */
  totalBytes: number | undefined;
  /** On a 206: the bytes sent, inclusive. */
  range: { start: number; end: number } | undefined;
  etag: string | undefined;
  /** The revision's SHA-256 (upper-case hex), read from the strong ETag. */
  sha256: string | undefined;
  /** Epoch milliseconds, from Last-Modified. */
  lastModified: number | undefined;
  /** The file's name, from Content-Disposition. */
  filename: string | undefined;
}

export interface StreamDownload extends DownloadInfo {
  body: ReadableStream<Uint8Array>;
}

export interface BlobDownload extends DownloadInfo {
  blob: Blob;
}

export function rangeHeader(range: ByteRange): string {
  const whole = (value: number, name: string) => {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`range.${name} must be a whole number ≥ 0.`);
    return value;
  };
  if ('suffix' in range) return `bytes=-${whole(range.suffix, 'suffix')}`;
  const start = whole(range.start, 'start');
  if (range.end === undefined) return `bytes=${start}-`;
  if (whole(range.end, 'end') < start) throw new RangeError('range.end must not be before range.start.');
  return `bytes=${start}-${range.end}`;
}

/** RFC 6266: filename* (RFC 5987, UTF-8) wins over filename. */
export function filenameFromDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[2].trim());
    } catch {
      // Malformed: try the plain form.
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return quoted[1].replace(/\\(.)/g, '$1');
  const bare = /filename\s*=\s*([^;\s]+)/i.exec(header);
  return bare ? bare[1] : undefined;
}

function numberHeader(value: string | null): number | undefined {
  return value !== null && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}

export function describeDownload(response: Response): DownloadInfo {
  const headers = response.headers;
  const contentLength = numberHeader(headers.get('content-length'));
  const contentRange = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headers.get('content-range') ?? '');
  const range = response.status === 206 && contentRange ? { start: Number(contentRange[1]), end: Number(contentRange[2]) } : undefined;
  const totalBytes = contentRange && contentRange[3] !== '*' ? Number(contentRange[3]) : response.status === 200 ? contentLength : undefined;
  const etag = headers.get('etag') ?? undefined;
  const hash = etag ? /^(?:W\/)?"?([0-9a-fA-F]{64})"?$/.exec(etag) : null;
  const lastModified = headers.get('last-modified');
  return {
    status: response.status,
    contentType: headers.get('content-type') ?? 'application/octet-stream',
    contentLength,
    totalBytes,
    range,
    etag,
    sha256: hash && !etag!.startsWith('W/') ? hash[1].toUpperCase() : undefined,
    lastModified: lastModified ? Date.parse(lastModified) || undefined : undefined,
    filename: filenameFromDisposition(headers.get('content-disposition')),
  };
}

export function downloadPath(dataFileId: number, revisionId?: number): string {
  return revisionId === undefined ? `/${dataFileId}` : `/${dataFileId}/revisions/${revisionId}`;
}

export async function requestDownload(send: Send, dataFileId: number, options: DownloadOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: '*/*' };
  if (options.range) headers.range = rangeHeader(options.range);
  if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;
  const spec: RequestSpec = {
    method: 'GET',
    path: downloadPath(dataFileId, options.revisionId),
    headers,
    signal: options.signal,
    what: `downloadFile ${dataFileId}`,
  };
  return send(spec);
}

const emptyStream = () => new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });

export function asStreamDownload(response: Response): StreamDownload {
  return { ...describeDownload(response), body: response.body ?? emptyStream() };
}

export async function asBlobDownload(response: Response): Promise<BlobDownload> {
  return { ...describeDownload(response), blob: await response.blob() };
}
