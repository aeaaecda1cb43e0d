// Changing a file's description and public flag without uploading bytes: `PUT /{dataFileId}` with
// no body and the changes in the query (docs/decisions.md 81; README "Product API"), on the Files
// API's path. Not one of the spec's operations, so it is not on DatafilesClient.
import { createTransport, readJson, type TransportOptions } from './request.js';
import type { FileDetails } from './types.js';

export interface FileMetadataChanges {
  /** The new description; '' clears it. Needs READ_WRITE. */
  description?: string;
  /** Readable by every user, or not. Needs READ_WRITE_DELETE_SHARE. */
  public?: boolean;
  signal?: AbortSignal;
}

/** Applies the changes and answers the file's object, with `description` and `publicAccess`. */
export async function updateFileMetadata(options: TransportOptions, dataFileId: number, changes: FileMetadataChanges): Promise<FileDetails> {
  if (!Number.isSafeInteger(dataFileId) || dataFileId < 1) throw new TypeError(`dataFileId must be a positive integer; got ${String(dataFileId)}.`);
  if (changes.description === undefined && changes.public === undefined) throw new TypeError('updateFileMetadata needs a description or a public flag.');
  const { send } = createTransport(options);
  const response = await send({
    method: 'PUT',
    path: `/${dataFileId}`,
    query: { description: changes.description, public: changes.public },
    signal: changes.signal,
    what: 'updateFileMetadata',
  });
  return readJson<FileDetails>(response, 'updateFileMetadata', changes.signal);
}
