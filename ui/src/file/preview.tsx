// A preview of one revision, chosen by its content type (docs/decisions.md 124). The bytes come
// through the SDK with the token header, never from a URL carrying the token. Nothing uploaded is
// ever rendered as active content: SVG only as an <img> (no script, no external loads), HTML, XML
// and script types only as escaped text, PDF by Chromium's viewer from a blob: URL typed
// application/pdf in an <iframe> (the one frame source the page's policy allows, src/http/ui.ts).
import type { DatafilesClient, FileRevision } from '@datafiles/sdk';
import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/errorMessage';
import { formatBytes } from './format';

/** Images, sound, video and PDF are read whole (into a blob: URL), up to this size. */
export const MEDIA_PREVIEW_MAX_BYTES = 64 * 1024 * 1024;
/** Text is read with a Range request for its first part only. */
export const TEXT_PREVIEW_BYTES = 64 * 1024;

type Kind = 'image' | 'svg' | 'audio' | 'video' | 'pdf' | 'text';

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'image/x-icon', 'image/vnd.microsoft.icon']);
const TEXT_TYPES = new Set([
  'application/json',
  'application/xml',
  'application/javascript',
  'application/x-ndjson',
  'application/yaml',
  'application/x-yaml',
  'application/sql',
]);

export function previewKind(contentType: string): Kind | undefined {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'image/svg+xml') return 'svg';
  if (IMAGE_TYPES.has(type)) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  if (type === 'application/pdf') return 'pdf';
  if (type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+json') || type.endsWith('+xml')) return 'text';
  return undefined;
}

/** The blob's bytes under the type the preview needs (an SVG as an image, a PDF as a PDF). */
const BLOB_TYPE: Partial<Record<Kind, string>> = { svg: 'image/svg+xml', pdf: 'application/pdf' };

interface Loaded {
  url?: string;
  text?: string;
  truncated?: boolean;
}

async function load(client: DatafilesClient, revision: FileRevision, kind: Kind, signal: AbortSignal): Promise<Loaded> {
  const options = { revisionId: revision.dataFileRevisionId, signal };
  if (kind === 'text') {
    if (revision.sizeBytes === 0) return { text: '', truncated: false };
    const download = await client.downloadFile(revision.dataFileId, { ...options, range: { start: 0, end: TEXT_PREVIEW_BYTES - 1 } });
    const truncated = revision.sizeBytes > TEXT_PREVIEW_BYTES;
    // A cut-off multi-byte character at the end is held back (stream: true), not shown as U+FFFD.
    let text = new TextDecoder().decode(await download.blob.arrayBuffer(), { stream: truncated });
    if (!truncated && /json/.test(revision.contentType)) {
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // Not valid JSON: shown as it is.
      }
    }
    return { text, truncated };
  }
  const download = await client.downloadFile(revision.dataFileId, options);
  const type = BLOB_TYPE[kind] ?? download.blob.type;
  return { url: URL.createObjectURL(new Blob([download.blob], { type })) };
}

export function Preview(props: { client: DatafilesClient; revision: FileRevision; name: string }) {
  const { client, revision, name } = props;
  const kind = previewKind(revision.contentType);
  const tooLarge = kind !== undefined && kind !== 'text' && revision.sizeBytes > MEDIA_PREVIEW_MAX_BYTES;
  const refused = revision.scanState === 'INFECTED';
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    setLoaded(undefined);
    setError(undefined);
    if (kind === undefined || tooLarge || refused) return;
    const controller = new AbortController();
    let url: string | undefined;
    load(client, revision, kind, controller.signal).then(
      (result) => {
        url = result.url;
        if (controller.signal.aborted) {
          if (url) URL.revokeObjectURL(url);
        } else setLoaded(result);
      },
      (failure) => {
        if (!controller.signal.aborted) setError(failure);
      },
    );
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [client, revision.dataFileRevisionId, kind, tooLarge, refused]);

  if (refused) return <p class="notice">No preview: this revision is infected, so it is never served.</p>;
  if (kind === undefined) return <p class="notice">No preview for files of type {revision.contentType}. Download it to open it.</p>;
  if (tooLarge) return <p class="notice">Too large to preview here ({formatBytes(revision.sizeBytes)}). Download it to open it.</p>;
  if (error !== undefined) return <ErrorMessage error={error} />;
  if (loaded === undefined) return <p aria-busy="true">Loading the preview…</p>;
  if (loaded.text !== undefined) {
    return (
      <>
        {loaded.truncated && <p class="notice">The first {formatBytes(TEXT_PREVIEW_BYTES)} only; download the file for the rest.</p>}
        <pre class="text-preview" tabIndex={0} aria-label={`Text of ${name}`}>
          {loaded.text}
        </pre>
      </>
    );
  }
  const url = loaded.url!;
  if (kind === 'image' || kind === 'svg') return <img class="image-preview" src={url} alt={`Preview of ${name}`} />;
  if (kind === 'audio') return <audio class="media-preview" src={url} controls aria-label={`Play ${name}`} />;
  if (kind === 'video') return <video class="media-preview" src={url} controls aria-label={`Play ${name}`} />;
  return <iframe class="pdf-preview" src={url} title={`PDF preview of ${name}`} />;
}
