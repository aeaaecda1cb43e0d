// createClient: one typed function per operation of the spec, named as the spec names them
// ("Files API" and "Multi-part Files API"), plus getSession (docs/decisions.md 25) and uploadLargeFile.
import { asBlobDownload, asStreamDownload, requestDownload, type DownloadOptions } from './download.js';
import { networkError } from './errors.js';
import type { FilesApiOperations, PartBody } from './operations.js';
import { createTransport, drain, readJson, type TransportOptions } from './request.js';
import { abortReason } from './retry.js';
import { isServerRuntime, sha256Hex } from './sha256.js';
import type {
  CommitResult,
  FileDetails,
  FilePermissions,
  PartUploaded,
  SessionCreated,
  UploadFileResult,
  UploadRevisionResult,
  UploadSession,
} from './types.js';
import { uploadLargeFile, type UploadLargeFileOptions, type UploadLargeFileResult } from './uploadLargeFile.js';

export type ClientOptions = TransportOptions;
export type { CompleteOptions, ListOptions, PartBody, SessionFields, UploadFileOptions, UploadPartOptions } from './operations.js';

export interface DatafilesClient extends FilesApiOperations {
  /** Parallel, retried, resumable upload of a large file; small ones go through uploadFile. */
  uploadLargeFile(file: Blob, options?: UploadLargeFileOptions): Promise<UploadLargeFileResult>;
  /** The URL of an API path (for links, e.g. a download URL with ?ryuu_sid=…). */
  url(path: string): string;
}

function fileNameOf(file: Blob): string | undefined {
  const name = (file as Partial<File>).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function formWith(file: Blob, filename: string): FormData {
  const form = new FormData();
  form.append('file', file, filename);
  return form;
}

function checkId(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${what} must be a positive integer; got ${String(value)}.`);
  return value;
}

function sessionPath(sessionId: string): string {
  if (typeof sessionId !== 'string' || sessionId === '') throw new TypeError('sessionId must be a non-empty string.');
  return `/multipart/${encodeURIComponent(sessionId)}`;
}

async function partBytes(part: PartBody): Promise<ArrayBuffer | Uint8Array> {
  if (typeof part === 'string') return new TextEncoder().encode(part);
  if (part instanceof Blob) return part.arrayBuffer();
  return part;
}

export function createClient(options: ClientOptions): DatafilesClient {
  const { send, url } = createTransport(options);

  const client: DatafilesClient = {
    async uploadFile(file, uploadOptions = {}) {
      const name = uploadOptions.name ?? fileNameOf(file);
      if (!name) throw new TypeError('uploadFile needs a name (options.name, or a File with a name).');
      const response = await send({
        method: 'POST',
        path: '',
        query: { name, description: uploadOptions.description, public: uploadOptions.public ?? false },
        body: formWith(file, uploadOptions.filename ?? fileNameOf(file) ?? name),
        signal: uploadOptions.signal,
        what: 'uploadFile',
      });
      return readJson<UploadFileResult>(response, 'uploadFile', uploadOptions.signal);
    },

    async uploadRevision(dataFileId, file, revisionOptions = {}) {
      const response = await send({
        method: 'PUT',
        path: `/${checkId(dataFileId, 'dataFileId')}`,
        body: formWith(file, revisionOptions.filename ?? fileNameOf(file) ?? 'file'),
        signal: revisionOptions.signal,
        what: 'uploadRevision',
      });
      return readJson<UploadRevisionResult>(response, 'uploadRevision', revisionOptions.signal);
    },

    async getFileDetailsList(listOptions = {}) {
      const response = await send({
        method: 'GET',
        path: '/details',
        query: {
          limitToOwned: listOptions.limitToOwned ?? false,
          // Sent only when asked for, so a list still reaches a server without this extension.
          sharedWithMe: listOptions.sharedWithMe === true ? true : undefined,
          ids: listOptions.ids !== undefined && listOptions.ids.length > 0 ? listOptions.ids : undefined,
          expand: listOptions.expand !== undefined && listOptions.expand.length > 0 ? listOptions.expand : undefined,
          limit: listOptions.limit,
          offset: listOptions.offset,
          after: listOptions.after,
        },
        signal: listOptions.signal,
        what: 'getFileDetailsList',
      });
      return readJson<FileDetails[]>(response, 'getFileDetailsList', listOptions.signal);
    },

    async getFileDetails(dataFileId, detailsOptions = {}) {
      const response = await send({
        method: 'GET',
        path: `/${checkId(dataFileId, 'dataFileId')}/details`,
        query: { expand: detailsOptions.expand !== undefined && detailsOptions.expand.length > 0 ? detailsOptions.expand : undefined },
        signal: detailsOptions.signal,
        what: 'getFileDetails',
      });
      return readJson<FileDetails>(response, 'getFileDetails', detailsOptions.signal);
    },

    async downloadFile(dataFileId: number, downloadOptions: DownloadOptions & { as?: 'stream' | 'blob' } = {}): Promise<any> {
      const response = await requestDownload(send, checkId(dataFileId, 'dataFileId'), downloadOptions);
      if (downloadOptions.as === 'stream') return asStreamDownload(response);
      try {
        return await asBlobDownload(response);
      } catch (error) {
        if (downloadOptions.signal?.aborted) throw abortReason(downloadOptions.signal);
        throw networkError(error, `downloadFile ${dataFileId}`);
      }
    },

    async deleteFile(dataFileId, deleteOptions = {}) {
      const path =
        deleteOptions.revisionId === undefined
          ? `/${checkId(dataFileId, 'dataFileId')}`
          : `/${checkId(dataFileId, 'dataFileId')}/revisions/${checkId(deleteOptions.revisionId, 'revisionId')}`;
      await drain(await send({ method: 'DELETE', path, signal: deleteOptions.signal, what: 'deleteFile' }));
    },

    async getFilePermissions(dataFileId, permissionOptions = {}) {
      const response = await send({
        method: 'GET',
        path: `/${checkId(dataFileId, 'dataFileId')}/permissions`,
        signal: permissionOptions.signal,
        what: 'getFilePermissions',
      });
      return readJson<FilePermissions>(response, 'getFilePermissions', permissionOptions.signal);
    },

    async updateFilePermissions(dataFileId, update, permissionOptions = {}) {
      const response = await send({
        method: 'PUT',
        path: `/${checkId(dataFileId, 'dataFileId')}/permissions`,
        json: update,
        signal: permissionOptions.signal,
        what: 'updateFilePermissions',
      });
      await drain(response);
    },

    async createSession(fields) {
      const response = await send({
        method: 'POST',
        path: '/multipart',
        json: { name: fields.name, description: fields.description, contentType: fields.contentType },
        signal: fields.signal,
        what: 'createSession',
      });
      return readJson<SessionCreated>(response, 'createSession', fields.signal);
    },

    async createUpdateSession(fileId, fields) {
      const response = await send({
        method: 'POST',
        path: `/${checkId(fileId, 'fileId')}/multipart`,
        json: { fileId, name: fields.name, description: fields.description, contentType: fields.contentType },
        signal: fields.signal,
        what: 'createUpdateSession',
      });
      return readJson<SessionCreated>(response, 'createUpdateSession', fields.signal);
    },

    async uploadPart(sessionId, index, part, partOptions = {}) {
      if (!Number.isInteger(index) || index < 1 || index > 10_000) throw new RangeError(`index must be an integer from 1 to 10000; got ${index}.`);
      // A Blob is sent as itself: a browser streams it from its own storage instead of copying
      // script memory into the request (and, with DevTools attached, into protocol messages), and
      // Node's fetch streams it. It is read here only when the checksum must be computed.
      const bytes = part instanceof Blob ? undefined : await partBytes(part);
      const checksum = partOptions.checksum === false ? undefined : (partOptions.checksum ?? (await sha256Hex(bytes ?? (await partBytes(part)))));
      const response = await send({
        method: 'PUT',
        path: `${sessionPath(sessionId)}/part/${index}`,
        query: { checksum },
        // docs/decisions.md 7: the body is raw bytes whatever the Content-Type.
        headers: { 'content-type': partOptions.contentType ?? 'application/octet-stream' },
        body: (bytes === undefined ? part : bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) as BodyInit,
        bytesAsStream: isServerRuntime(),
        signal: partOptions.signal,
        what: `uploadPart ${index}`,
      });
      return readJson<PartUploaded>(response, `uploadPart ${index}`, partOptions.signal);
    },

    async complete(sessionId, completeOptions = {}) {
      const response = await send({
        method: 'POST',
        path: `${sessionPath(sessionId)}/commit`,
        json: { sessionId, totalParts: completeOptions.totalParts, sha256: completeOptions.sha256 },
        signal: completeOptions.signal,
        what: 'complete',
      });
      return readJson<CommitResult>(response, 'complete', completeOptions.signal);
    },

    async abort(sessionId, abortOptions = {}) {
      await drain(await send({ method: 'POST', path: `${sessionPath(sessionId)}/abort`, signal: abortOptions.signal, what: 'abort' }));
    },

    async getSession(sessionId, sessionOptions = {}) {
      const response = await send({ method: 'GET', path: sessionPath(sessionId), signal: sessionOptions.signal, what: 'getSession' });
      return readJson<UploadSession>(response, 'getSession', sessionOptions.signal);
    },

    uploadLargeFile(file, uploadOptions) {
      return uploadLargeFile(client, file, uploadOptions);
    },

    url: (path) => url(path),
  };
  return client;
}
