// The page's uploads: a queue that sends up to MAX_FILES_AT_ONCE files at a time through the SDK's
// uploadLargeFile (one request for a small file; a multipart session of parallel, checksummed parts
// for a large one), measures each file's rate, and keeps each multipart session's id in
// localStorage (persist.ts) until the upload ends, so that a reload or a dropped network can
// resume it with only the parts the server lacks (docs/decisions.md 129, 130, 131).
//
// One queue per signed-in token, shared by every component that shows uploads (the panel, a file
// page's revision button); components follow it with useUploads().
import { isDatafilesError, type DatafilesClient, type UploadLargeFileResult, type UploadProgress } from '@datafiles/sdk';
import { useEffect, useState } from 'preact/hooks';
import { filesClient } from '../session';
import { forgetUpload, identityOf, ownerTag, rememberUpload, sameFile, storedUploads, type FileIdentity } from './persist';

/** Files sent at once; a large file also sends its parts 4 at a time (the SDK's default). */
const MAX_FILES_AT_ONCE = 3;
/** The rate is measured over this window, so it follows a changing network. */
const RATE_WINDOW_MS = 8_000;

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface UploadItem {
  readonly id: number;
  readonly identity: FileIdentity;
  /** Missing for an upload interrupted by a reload until the person picks the file again. */
  file: File | undefined;
  /** A new revision of this file, instead of a new file. */
  dataFileId?: number;
  status: UploadStatus;
  bytesSent: number;
  partsDone: number;
  partsTotal: number;
  /** Bytes per second over the last few seconds. */
  rate?: number;
  secondsLeft?: number;
  /** Set while the SDK waits to send a part again. */
  retrying?: string;
  error?: unknown;
  /** The multipart session, kept to resume. */
  sessionId?: string;
  result?: UploadLargeFileResult;
}

export interface UploadOptions {
  dataFileId?: number;
  onDone?: (result: UploadLargeFileResult) => void;
}

/** Fired on window when an upload finishes, for views that list files. */
export const UPLOADED_EVENT = 'datafiles:uploaded';

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

function isNetworkFailure(error: unknown): boolean {
  return isDatafilesError(error) && error.isNetworkError;
}

export class Uploads {
  items: UploadItem[] = [];
  /** Whether the shell's panel is open: kept here, so that a re-mounted shell keeps it. */
  panelOpen = false;
  readonly client: DatafilesClient;
  private nextId = 1;
  private readonly listeners = new Set<() => void>();
  private readonly controllers = new Map<number, AbortController>();
  private readonly samples = new Map<number, Array<[number, number]>>();
  private readonly callbacks = new Map<number, (result: UploadLargeFileResult) => void>();

  constructor(readonly token: string) {
    this.client = filesClient(token);
    for (const stored of storedUploads(token)) {
      this.items.push({
        id: this.nextId++,
        identity: { name: stored.name, size: stored.size, lastModified: stored.lastModified },
        file: undefined,
        dataFileId: stored.dataFileId,
        status: 'interrupted',
        bytesSent: 0,
        partsDone: 0,
        partsTotal: 0,
        sessionId: stored.sessionId,
      });
    }
    this.panelOpen = this.items.length > 0;
    // A network that comes back resumes what it cut off (the SDK already retried a few times).
    addEventListener('online', () => {
      for (const item of this.items) if (item.status === 'failed' && isNetworkFailure(item.error)) this.retry(item.id);
    });
  }

  showPanel(open: boolean): void {
    this.panelOpen = open;
    this.changed();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.items = [...this.items];
    for (const listener of this.listeners) listener();
  }

  private update(id: number, patch: Partial<UploadItem>): void {
    this.items = this.items.map((item) => (item.id === id ? { ...item, ...patch } : item));
    for (const listener of this.listeners) listener();
  }

  private find(id: number): UploadItem | undefined {
    return this.items.find((item) => item.id === id);
  }

  add(files: Iterable<File>, options: UploadOptions = {}): void {
    for (const file of files) {
      const id = this.nextId++;
      if (options.onDone) this.callbacks.set(id, options.onDone);
      this.items.push({
        id,
        identity: identityOf(file),
        file,
        dataFileId: options.dataFileId,
        status: 'queued',
        bytesSent: 0,
        partsDone: 0,
        partsTotal: 0,
      });
    }
    this.changed();
    this.pump();
  }

  /** Resume an interrupted upload with the file the person picked again; false if it is another file. */
  resumeWith(id: number, file: File): boolean {
    const item = this.find(id);
    if (!item) return false;
    if (!sameFile(file, item.identity)) {
      const when = new Date(item.identity.lastModified).toLocaleString();
      this.update(id, {
        error: new Error(`That is not the same file: pick ${item.identity.name} (${item.identity.size} bytes, modified ${when}).`),
      });
      return false;
    }
    this.update(id, { file, status: 'queued', error: undefined });
    this.pump();
    return true;
  }

  /** Send a failed upload again: resuming its session if it has one. */
  retry(id: number): void {
    const item = this.find(id);
    if (!item?.file || (item.status !== 'failed' && item.status !== 'cancelled')) return;
    this.update(id, { status: 'queued', error: undefined, retrying: undefined });
    this.pump();
  }

  cancel(id: number): void {
    const item = this.find(id);
    if (!item) return;
    const controller = this.controllers.get(id);
    if (controller) {
      controller.abort();
      return; // run() records the cancellation once the SDK has stopped (and aborted the session).
    }
    if (item.status === 'queued' || item.status === 'interrupted' || item.status === 'failed') {
      if (item.sessionId !== undefined) this.discardSession(item.sessionId);
      this.update(id, { status: 'cancelled', sessionId: undefined, rate: undefined, secondsLeft: undefined });
    }
  }

  cancelAll(): void {
    for (const item of this.items) if (item.status === 'queued' || item.status === 'uploading') this.cancel(item.id);
  }

  /** Drop an interrupted or failed upload for good: its session's parts are freed on the server. */
  discard(id: number): void {
    const item = this.find(id);
    if (!item || item.status === 'uploading') return;
    if (item.sessionId !== undefined) this.discardSession(item.sessionId);
    this.items = this.items.filter((other) => other.id !== id);
    this.changed();
  }

  clearFinished(): void {
    this.items = this.items.filter((item) => item.status !== 'done' && item.status !== 'cancelled');
    this.changed();
  }

  private discardSession(sessionId: string): void {
    forgetUpload(sessionId);
    this.client.abort(sessionId).catch(() => undefined);
  }

  private pump(): void {
    let running = this.items.filter((item) => item.status === 'uploading').length;
    for (const item of this.items) {
      if (running >= MAX_FILES_AT_ONCE) return;
      if (item.status === 'queued' && item.file) {
        running += 1;
        void this.run(item.id, item.file);
      }
    }
  }

  private progress(id: number, progress: UploadProgress): void {
    const now = performance.now();
    const samples = (this.samples.get(id) ?? []).filter(([time]) => now - time <= RATE_WINDOW_MS);
    samples.push([now, progress.bytesSent]);
    this.samples.set(id, samples);
    const [firstTime, firstBytes] = samples[0];
    const seconds = (now - firstTime) / 1000;
    const rate = seconds > 0.05 ? (progress.bytesSent - firstBytes) / seconds : undefined;
    this.update(id, {
      bytesSent: progress.bytesSent,
      partsDone: progress.partsDone,
      partsTotal: progress.partsTotal,
      rate,
      secondsLeft: rate !== undefined && rate > 0 ? (progress.totalBytes - progress.bytesSent) / rate : undefined,
      retrying: undefined,
    });
  }

  private async run(id: number, file: File): Promise<void> {
    const item = this.find(id)!;
    const controller = new AbortController();
    this.controllers.set(id, controller);
    this.samples.set(id, [[performance.now(), 0]]);
    this.update(id, { status: 'uploading', bytesSent: 0, partsDone: 0, rate: undefined, secondsLeft: undefined, error: undefined });
    const resumeSessionId = item.sessionId;
    try {
      const result = await this.client.uploadLargeFile(file, {
        dataFileId: item.dataFileId,
        resumeSessionId,
        // Cancel means "stop and throw it away"; a reload or a crash keeps the session to resume.
        abortSessionOnCancel: true,
        signal: controller.signal,
        onSession: (sessionId) => {
          rememberUpload({ ...item.identity, sessionId, dataFileId: item.dataFileId, owner: ownerTag(this.token), startedAt: Date.now() });
          this.update(id, { sessionId });
        },
        onProgress: (progress) => this.progress(id, progress),
        onRetry: (event) =>
          this.update(id, {
            retrying: `${event.index === undefined ? 'Finishing' : `Part ${event.index}`} failed; trying again (attempt ${event.attempt + 1}).`,
          }),
      });
      if (result.sessionId !== undefined) forgetUpload(result.sessionId);
      this.update(id, { status: 'done', result, bytesSent: file.size, secondsLeft: 0, retrying: undefined, sessionId: undefined });
      dispatchEvent(new CustomEvent(UPLOADED_EVENT, { detail: { dataFileId: result.dataFileId, revisionId: result.revisionId } }));
      this.callbacks.get(id)?.(result);
    } catch (error) {
      const current = this.find(id);
      if (controller.signal.aborted || isAbort(error)) {
        if (current?.sessionId !== undefined) forgetUpload(current.sessionId);
        this.update(id, { status: 'cancelled', sessionId: undefined, rate: undefined, secondsLeft: undefined, retrying: undefined });
      } else if (isNetworkFailure(error)) {
        // Keep the session: the network may come back ('online' above), or the person presses Resume.
        this.update(id, { status: 'failed', error, rate: undefined, secondsLeft: undefined, retrying: undefined });
      } else {
        // Refused for good (quota, permission, a session that expired): the SDK aborted the session.
        if (current?.sessionId !== undefined) forgetUpload(current.sessionId);
        const stale = resumeSessionId !== undefined && isDatafilesError(error) && error.status === 409;
        this.update(id, { status: 'failed', error, sessionId: undefined, rate: undefined, secondsLeft: undefined, retrying: undefined });
        // A session that can no longer be resumed (expired, aborted): start the file again.
        if (stale) this.retry(id);
      }
    } finally {
      this.controllers.delete(id);
      this.samples.delete(id);
      this.pump();
    }
  }
}

let shared: Uploads | undefined;

/** The uploads of the signed-in token (a new queue after signing in as someone else). */
export function uploadsFor(token: string): Uploads {
  if (shared?.token !== token) shared = new Uploads(token);
  return shared;
}

/** The queue, re-rendering the component on every change. */
export function useUploads(token: string): Uploads {
  const uploads = uploadsFor(token);
  const [, setVersion] = useState(0);
  useEffect(() => uploads.subscribe(() => setVersion((version) => version + 1)), [uploads]);
  return uploads;
}
