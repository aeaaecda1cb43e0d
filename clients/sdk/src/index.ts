// @datafiles/sdk: a client for the datafiles service (Domo's Files API and Multi-part Files API).
// No runtime dependencies: global fetch, FormData, Blob, streams and Web Crypto, as in browsers
// and Node 20.
export { createClient } from './client.js';
export type { ClientOptions, CompleteOptions, DatafilesClient, ListOptions, PartBody, SessionFields, UploadFileOptions, UploadPartOptions } from './client.js';
export type { FilesApiOperations } from './operations.js';
export { DatafilesError, isDatafilesError } from './errors.js';
export type { ErrorBody } from './errors.js';
export { filenameFromDisposition, rangeHeader } from './download.js';
export type { BlobDownload, ByteRange, DownloadInfo, DownloadOptions, StreamDownload } from './download.js';
export { uploadLargeFile } from './uploadLargeFile.js';
export type { UploadLargeFileOptions, UploadLargeFileResult, UploadProgress, UploadRetryEvent } from './uploadLargeFile.js';
export { choosePartSize, DEFAULT_PART_SIZE, MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE, planParts } from './parts.js';
export type { PartPlan } from './parts.js';
export { assertRetryPolicy, backoffDelay, DEFAULT_RETRY_POLICY, isRetryable, MAX_RETRIES, MIN_RETRY_DELAY_MS } from './retry.js';
export type { RetryPolicy } from './retry.js';
export { sha256Hex } from './sha256.js';
export { DEFAULT_API_PATH } from './request.js';
export * from './types.js';
export { ACCOUNT_API_PATH, createAccountClient } from './account.js';
export type { AccountClient, AccountTokenRecord, AccountUser, Me, SignedIn } from './account.js';
