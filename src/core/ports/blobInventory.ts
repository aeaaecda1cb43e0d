// What `datafiles verify` asks of a blob store beyond the BlobStore port (docs/decisions.md 105):
// to list what it holds, so that bytes no revision names (orphans) and staged uploads no session
// names can be found. Implementations: src/adapters/blob/diskInventory.ts and
// src/adapters/blob/s3/s3Inventory.ts. Listings are streamed, page by page, never held whole.

export interface ListedBlob {
  key: string;
  sizeBytes: number;
  /** When its bytes were last written (epoch milliseconds). */
  modifiedAt: number;
}

export interface ListedUpload {
  /** As BlobStore.createUpload returned it (what upload_sessions.blob_upload_id holds). */
  uploadId: string;
  /** When it was created or last written (epoch milliseconds). */
  modifiedAt: number;
}

export interface BlobInventory {
  /** Every blob, in no particular order. */
  blobs(signal?: AbortSignal): AsyncIterable<ListedBlob>;
  /** Every staged upload still open in the store. */
  uploads(signal?: AbortSignal): AsyncIterable<ListedUpload>;
}
