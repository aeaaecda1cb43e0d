// The Files API's operations on files and revisions (spec: "Files API"), free of HTTP and SQL.
import { commitSurelyFailed } from './commitOutcome.js';
import type { Readable } from 'node:stream';
import { FileAccess } from '../access/fileAccess.js';
import { DomainError } from '../errors.js';
import type { Caller, FileRecord, Grant, NewRevision, RevisionRecord } from '../model.js';
import type { BlobStore, ByteRange, ByteSource } from '../ports/blobStore.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';
import type { FileWithRevision, MetadataStore } from '../ports/metadataStore.js';
import { assertDownloadable, type ScanPolicy } from '../scanning/downloadGate.js';
import { storeContent, type IncomingContent } from './storeContent.js';
import { validateDescription, validateName } from './validation.js';

export interface FileDetails extends FileWithRevision {
  /** Present only when `expand` asked for revisions (docs/decisions.md 10). */
  revisions?: RevisionRecord[];
}

export type Expansion = 'revisions' | 'metadata';

/** docs/decisions.md 76: the revision id clients send for "the newest revision". */
export const NEWEST_REVISION = -1;

/** The revision id a request names: NEWEST_REVISION is the current one (always the newest). */
export function resolveRevisionId(file: FileRecord, revisionId: number): number {
  return revisionId === NEWEST_REVISION ? file.currentRevisionId : revisionId;
}

export interface FileServiceDeps {
  metadata: MetadataStore;
  blobs: BlobStore;
  clock: Clock;
  /** MD5 and SHA-256 of uploaded bytes. */
  hasher: Hasher;
  log?: { warn(object: object, message: string): void };
  /** Set when virus scanning is on: which scan states may be downloaded (docs/decisions.md 87). */
  scanPolicy?: ScanPolicy;
}

export class FileService {
  private readonly access: FileAccess;

  constructor(private readonly deps: FileServiceDeps) {
    this.access = new FileAccess(deps.metadata.permissions);
  }

  /** spec: "Upload a file": stores the bytes, then creates the file; returns its id. */
  async uploadFile(input: {
    caller: Caller;
    name: string | undefined;
    description?: string;
    publicAccess: boolean;
    content: IncomingContent;
    signal?: AbortSignal;
  }): Promise<FileWithRevision> {
    const name = validateName(input.name);
    const description = validateDescription(input.description);
    const createdAt = this.deps.clock.now();
    return this.withStoredRevision(
      { caller: input.caller, content: input.content, signal: input.signal, filenames: [input.content.filename, name] },
      (revision) =>
        this.deps.metadata.files.createFile({ name, description, ownerId: input.caller.user.id, publicAccess: input.publicAccess, createdAt, revision }),
    );
  }

  /** spec: "Upload a file revision": needs READ_WRITE (docs/decisions.md 17). */
  async uploadRevision(input: {
    caller: Caller;
    fileId: number;
    content: IncomingContent;
    signal?: AbortSignal;
    /** The file as requireFile(caller, fileId, 'write') just returned it, saving a second lookup. */
    authorised?: FileRecord;
  }): Promise<RevisionRecord> {
    const file = input.authorised?.id === input.fileId ? input.authorised : await this.requireFile(input.caller, input.fileId, 'write');
    return this.withStoredRevision(
      { caller: input.caller, content: input.content, signal: input.signal, filenames: [input.content.filename, file.name] },
      (revision) => this.deps.metadata.files.addRevision({ fileId: file.id, revision }),
    );
  }

  /** Adds a revision whose bytes are already stored (a committed multipart session). */
  async addStoredRevision(input: { caller: Caller; fileId: number; revision: NewRevision }): Promise<RevisionRecord> {
    await this.requireFile(input.caller, input.fileId, 'write');
    return this.deps.metadata.files.addRevision({ fileId: input.fileId, revision: input.revision });
  }

  /**
   * spec: "Get all files metadata": the files the caller may read (docs/decisions.md 15), read
   * `batchRows` at a time in id order (docs/decisions.md 150): `offset` skips within the first
   * batch's query, each later one starts after the last id seen, so no batch costs more than it
   * returns and the caller never holds more than one.
   */
  async *listFiles(input: {
    caller: Caller;
    ids?: readonly number[];
    ownerId?: number;
    limitToOwned: boolean;
    /** docs/decisions.md 180: only files shared with the caller (an entry), not merely public. */
    sharedWithMe?: boolean;
    expand: ReadonlySet<Expansion>;
    limit?: number;
    offset?: number;
    afterId?: number;
    batchRows: number;
  }): AsyncGenerator<FileDetails[], void, undefined> {
    let remaining = input.limit ?? Number.POSITIVE_INFINITY;
    let { offset, afterId } = input;
    while (remaining > 0) {
      const limit = Math.min(remaining, input.batchRows);
      const files = await this.deps.metadata.files.listReadableFiles({
        userId: input.caller.user.id,
        groupIds: input.caller.groupIds,
        isAdmin: input.caller.user.isAdmin,
        ownedOnly: input.limitToOwned,
        sharedOnly: input.sharedWithMe ?? false,
        ids: input.ids,
        ownerId: input.ownerId,
        afterId,
        limit,
        offset,
      });
      // A batch may come back shorter than its query (files deleted while it was read), or empty.
      const batch = await this.withRevisions(files, input.expand);
      if (batch.length > 0) yield batch;
      if (files.length < limit) return;
      // What was answered counts against the limit; the next batch starts after what was read.
      remaining -= batch.length;
      offset = undefined;
      afterId = files[files.length - 1].file.id;
    }
  }

  /**
   * The files' revisions, read in a second query. A file always has a revision (docs/decisions.md
   * 14), so one with none was deleted between the two reads: it is left out, as a list read a
   * moment later would leave it (docs/decisions.md 187).
   */
  private async withRevisions(files: FileDetails[], expand: ReadonlySet<Expansion>): Promise<FileDetails[]> {
    if (!expand.has('revisions') || files.length === 0) return files;
    const revisions = await this.deps.metadata.files.listRevisions(files.map(({ file }) => file.id));
    const present: FileDetails[] = [];
    for (const details of files) {
      const list = revisions.get(details.file.id) ?? [];
      if (list.length > 0) present.push({ ...details, revisions: list });
    }
    return present;
  }

  /** spec: "Get file metadata by ID". */
  async getFileDetails(input: { caller: Caller; fileId: number; expand: ReadonlySet<Expansion> }): Promise<FileDetails> {
    const details = await this.deps.metadata.files.getFileWithRevision(input.fileId);
    if (!details) throw new DomainError('FILE_NOT_FOUND');
    await this.access.require(input.caller, details.file, 'read');
    const withRevisions = (await this.withRevisions([details], input.expand)).at(0);
    if (withRevisions === undefined) throw new DomainError('FILE_NOT_FOUND');
    return withRevisions;
  }

  /**
   * spec: "Download a file": the current revision, or a given one. docs/decisions.md 26: an INFECTED
   * revision is refused.
   */
  async findDownload(input: { caller: Caller; fileId: number; revisionId?: number }): Promise<{ file: FileRecord; revision: RevisionRecord }> {
    let file: FileRecord;
    let revision: RevisionRecord | undefined;
    if (input.revisionId === undefined || input.revisionId === NEWEST_REVISION) {
      // docs/decisions.md 177: the current revision comes with the file row, in one query.
      const details = await this.deps.metadata.files.getFileWithRevision(input.fileId);
      if (!details) throw new DomainError('FILE_NOT_FOUND');
      await this.access.require(input.caller, details.file, 'read');
      ({ file, currentRevision: revision } = details);
    } else {
      file = await this.requireFile(input.caller, input.fileId, 'read');
      revision = await this.deps.metadata.files.getRevision({ fileId: file.id, revisionId: resolveRevisionId(file, input.revisionId) });
    }
    if (!revision) throw new DomainError('REVISION_NOT_FOUND');
    assertDownloadable(revision, this.deps.scanPolicy);
    if (revision.corruptAt !== undefined) throw new DomainError('REVISION_CORRUPT');
    return { file, revision };
  }

  /** Streams a revision's bytes (or an inclusive range of them). */
  openContent(input: { revision: RevisionRecord; range?: ByteRange; signal?: AbortSignal }): Promise<Readable> {
    return this.deps.blobs.get({ key: input.revision.blobKey, range: input.range, signal: input.signal, sizeBytes: input.revision.sizeBytes });
  }

  /**
   * spec: "Delete a file": "the delete does occur at the revision level, so if you unintentionally
   * delete a file, the previous version will now be the current version" (docs/decisions.md 14).
   */
  async deleteRevision(input: { caller: Caller; fileId: number; revisionId: number }): Promise<{ fileDeleted: boolean }> {
    const file = await this.requireFile(input.caller, input.fileId, 'delete');
    const { blobKey, fileDeleted } = await this.deps.metadata.files.deleteRevision({
      fileId: input.fileId,
      revisionId: resolveRevisionId(file, input.revisionId),
    });
    if (blobKey !== undefined) await this.deleteBlobs([blobKey]);
    return { fileDeleted };
  }

  /** `DELETE /{id}`: the whole file (Domo's Product API has it; docs/decisions.md 14). */
  async deleteFile(input: { caller: Caller; fileId: number }): Promise<void> {
    await this.requireFile(input.caller, input.fileId, 'delete');
    const { blobKeys } = await this.deps.metadata.files.deleteFile(input.fileId);
    await this.deleteBlobs(blobKeys);
  }

  /** docs/decisions.md 127: the caller's own grant on a file it may read (404 if it may not). */
  async grantOn(caller: Caller, fileId: number): Promise<Grant> {
    const file = await this.deps.metadata.files.getFile(fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND');
    return this.access.require(caller, file, 'read');
  }

  /** Loads a file and checks the caller holds the grant `access` needs. */
  async requireFile(caller: Caller, fileId: number, access: 'read' | 'write' | 'delete' | 'share'): Promise<FileRecord> {
    const file = await this.deps.metadata.files.getFile(fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND');
    await this.access.require(caller, file, access);
    return file;
  }

  /**
   * The write path (docs/architecture.md): stream the bytes into the blob store while measuring them,
   * then commit the metadata; if the commit surely failed, delete the new blob so nothing is left
   * behind. If it may yet land (docs/decisions.md 142), the blob stays for the orphan sweep.
   */
  private async withStoredRevision<T>(
    input: { caller: Caller; content: IncomingContent; signal?: AbortSignal; filenames: readonly (string | undefined)[] },
    commit: (revision: NewRevision) => Promise<T>,
  ): Promise<T> {
    const stored = await storeContent({
      blobs: this.deps.blobs,
      clock: this.deps.clock,
      hasher: this.deps.hasher,
      content: input.content,
      filenames: input.filenames,
      signal: input.signal,
    });
    const revision: NewRevision = { ...stored.revision, uploadUserId: input.caller.user.id };
    try {
      return await commit(revision);
    } catch (error) {
      if (commitSurelyFailed(error)) await this.deleteBlobs([revision.blobKey]);
      else this.deps.log?.warn({ err: error, blobKey: revision.blobKey }, 'a revision commit may yet land: its blob is left to the orphan sweep');
      throw error;
    }
  }

  /**
   * "Only after the commit, delete what became unreferenced" (docs/architecture.md). A failed delete
   * leaves an orphan blob, which is harmless; it is logged, not reported to the caller.
   */
  private async deleteBlobs(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.deps.blobs.delete(key);
      } catch (error) {
        this.deps.log?.warn({ err: error, blobKey: key }, 'could not delete an unreferenced blob');
      }
    }
  }
}

export type { IncomingContent, ByteSource };
