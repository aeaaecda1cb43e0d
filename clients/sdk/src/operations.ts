// The operations of the Files API and the Multi-part Files API, one function each, and their
// options. uploadLargeFile is written against this interface, not against the client, so that
// client.ts (which offers uploadLargeFile) and uploadLargeFile.ts do not import each other.
import type { BlobDownload, DownloadOptions, StreamDownload } from './download.js';
import type {
  CommitResult,
  Expand,
  FileDetails,
  FilePermissions,
  FilePermissionsUpdate,
  PartUploaded,
  SessionCreated,
  UploadFileResult,
  UploadRevisionResult,
  UploadSession,
} from './types.js';

export interface Signalled {
  signal?: AbortSignal;
}

export interface UploadFileOptions extends Signalled {
  /** The file's name in the service; a File's own name when left out. */
  name?: string;
  description?: string;
  /** Every user may read it (spec: "public"); false by default. */
  public?: boolean;
  /** The form part's filename (the name by default); its extension helps guess the type. */
  filename?: string;
}

export interface ListOptions extends Signalled {
  ids?: readonly number[];
  expand?: readonly Expand[];
  limitToOwned?: boolean;
  /** Only files shared with you by an entry (you or one of your groups), owned by others; public or not. */
  sharedWithMe?: boolean;
  limit?: number;
  offset?: number;
  /** Only files with a greater id: the last dataFileId of the previous page (docs/decisions.md 150). */
  after?: number;
}

export interface SessionFields extends Signalled {
  name: string;
  description?: string;
  /** The MIME type of the whole file (required by the server, docs/decisions.md 13). */
  contentType: string;
}

export interface UploadPartOptions extends Signalled {
  /**
   * The part's SHA-256 as hex, checked by the server (docs/decisions.md 8). Computed here when left
   * out; `false` sends none.
   */
  checksum?: string | false;
  /** The Content-Type sent with the bytes (ignored by the server, docs/decisions.md 7). */
  contentType?: string;
}

export interface CompleteOptions extends Signalled {
  /** Checked by the server: the session must hold exactly parts 1..totalParts. */
  totalParts?: number;
  /** The whole file's SHA-256, checked by the server. */
  sha256?: string;
}

export type PartBody = Blob | ArrayBuffer | Uint8Array | string;

/** The spec's operations (plus getSession), as createClient implements them. */
export interface FilesApiOperations {
  /** spec: "Upload a file". */
  uploadFile(file: Blob, options?: UploadFileOptions): Promise<UploadFileResult>;
  /** spec: "Upload a file revision". */
  uploadRevision(dataFileId: number, file: Blob, options?: Signalled & { filename?: string }): Promise<UploadRevisionResult>;
  /** spec: "Get all files metadata". */
  getFileDetailsList(options?: ListOptions): Promise<FileDetails[]>;
  /** spec: "Get file metadata by ID". */
  getFileDetails(dataFileId: number, options?: Signalled & { expand?: readonly Expand[] }): Promise<FileDetails>;
  /** spec: "Download a file": the body as a stream. */
  downloadFile(dataFileId: number, options: DownloadOptions & { as: 'stream' }): Promise<StreamDownload>;
  /** spec: "Download a file": the body as a Blob (the default, as in the spec's example). */
  downloadFile(dataFileId: number, options?: DownloadOptions & { as?: 'blob' }): Promise<BlobDownload>;
  /** spec: "Delete a file": one revision, or with no revisionId the whole file (docs/decisions.md 14). */
  deleteFile(dataFileId: number, options?: Signalled & { revisionId?: number }): Promise<void>;
  /** spec: "Get file permissions". */
  getFilePermissions(dataFileId: number, options?: Signalled): Promise<FilePermissions>;
  /** spec: "Update file permissions". */
  updateFilePermissions(dataFileId: number, update: FilePermissionsUpdate, options?: Signalled): Promise<void>;
  /** spec: "Creating a Multi-part Upload Session". */
  createSession(fields: SessionFields): Promise<SessionCreated>;
  /** spec: "Creating a Multi-part Upload Update Session": its commit adds a revision of fileId. */
  createUpdateSession(fileId: number, fields: SessionFields): Promise<SessionCreated>;
  /** spec: "Uploading File Parts" (index 1–10,000). */
  uploadPart(sessionId: string, index: number, part: PartBody, options?: UploadPartOptions): Promise<PartUploaded>;
  /** spec: "Completing a Multi-part Upload". */
  complete(sessionId: string, options?: CompleteOptions): Promise<CommitResult>;
  /** spec: "Error Handling and Retry Mechanism": abort the session; its parts are removed. */
  abort(sessionId: string, options?: Signalled): Promise<void>;
  /** docs/decisions.md 25: the session's state and stored parts, to resume an upload. */
  getSession(sessionId: string, options?: Signalled): Promise<UploadSession>;
}
