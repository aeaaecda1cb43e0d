// Shared setup and checks for the suites that run the spec's Files API examples through ryuu.js:
// a real server, a few users, ryuu.js bound to it, and the examples loaded verbatim.
import assert from 'node:assert/strict';
import { md5Hex, sha256Hex, type Bytes } from './bytes.js';
import { loadRyuu, type Ryuu } from './ryuu.js';
import { startTestServer, type TestServer, type TestUser } from './server.js';
import { loadExamples, type DownloadCall } from './specExamples.js';

/** The spec's Files API functions (test/spec-examples/files-api.examples.js), as they are called. */
export interface FilesApiExamples {
  uploadFile(name: string, description?: string, isPublic?: boolean, file?: Blob): Promise<{ dataFileId: number }>;
  uploadRevision(file: Blob, dataFileId: number): Promise<{ revisionId: number }>;
  getFileDetailsList(ids?: number[] | null, expand?: string[] | null, limitToOwned?: boolean): Promise<WireFile[]>;
  getFileDetails(dataFileId: number, expandList?: string[] | null): Promise<WireFile>;
  downloadFile(dataFileId: number, filename: string, revisionId?: number): Promise<void>;
  deleteFile(dataFileId: number, revisionId: number): Promise<unknown>;
  getFilePermissions(dataFileId: number): Promise<WirePermissions>;
  upadateFilePermissions(dataFileId: number, data: unknown): Promise<unknown>;
}

export interface WireRevision {
  dataFileRevisionId: number;
  dataFileId: number;
  contentType: string;
  uploadUserId: number;
  sizeBytes: number;
  uploadTimeMillis: number;
  md5Hash: string;
  datetimeUploaded: number;
  scanState: string;
  sha256HashValue: string;
}

export interface WireFile {
  dataFileId: number;
  name: string;
  responsibleUserId: number;
  description?: string;
  publicAccess?: boolean;
  currentRevision: WireRevision;
  datetimeCreated: number;
  revisions: WireRevision[];
  existing: boolean;
}

export interface WirePermissions {
  publicAccess: boolean;
  entries: { entityType: string; entityId: string; grant: string; pass: string }[];
}

export interface RyuuFilesWorld {
  server: TestServer;
  ryuu: Ryuu;
  users: Record<string, TestUser>;
  /** The user whose token ryuu.js sends unless `as` says otherwise. */
  defaultUser: TestUser;
  api: FilesApiExamples;
  downloads: DownloadCall[];
  /** Runs `action` with ryuu.js sending `user`'s token (window.__RYUU_SID__), then switches back. */
  as<T>(user: TestUser | undefined, action: () => Promise<T>): Promise<T>;
  cleanup(): Promise<void>;
}

export async function startRyuuFilesWorld(userNames: string[]): Promise<RyuuFilesWorld> {
  const server = await startTestServer();
  try {
    const users: Record<string, TestUser> = {};
    for (const name of userNames) users[name] = await server.addUser(name);
    const defaultUser = users[userNames[0]];
    const ryuu = loadRyuu(server.url, defaultUser.token);
    const { fns, downloads } = loadExamples('files-api', ryuu.domo);
    return {
      server,
      ryuu,
      users,
      defaultUser,
      api: fns as unknown as FilesApiExamples,
      downloads,
      async as(user, action) {
        ryuu.setToken(user?.token);
        try {
          return await action();
        } finally {
          ryuu.setToken(defaultUser.token);
        }
      },
      async cleanup() {
        await server.cleanup();
      },
    };
  } catch (error) {
    await server.cleanup();
    throw error;
  }
}

/** What a revision record must say about the bytes it holds. */
export interface ExpectedRevision {
  dataFileId: number;
  uploader: TestUser;
  bytes: Bytes;
  contentType: string;
  /** Date.now() just before and after the upload call. */
  uploadedBetween: [number, number];
  /** When known (from the upload's reply). */
  revisionId?: number;
}

const EPOCH_SLACK_MS = 1000;

export function assertEpochMillis(value: unknown, [before, after]: [number, number], field: string): void {
  assert.equal(typeof value, 'number', `${field} is a number (epoch millis), got ${JSON.stringify(value)}`);
  assert.ok(Number.isInteger(value), `${field} is an integer`);
  assert.ok(
    (value as number) >= before - EPOCH_SLACK_MS && (value as number) <= after + EPOCH_SLACK_MS,
    `${field} ${value} is between ${before} and ${after} (epoch millis)`,
  );
}

export function assertPositiveInteger(value: unknown, field: string): asserts value is number {
  assert.ok(Number.isSafeInteger(value) && (value as number) > 0, `${field} is a positive integer, got ${JSON.stringify(value)}`);
}

/** Checks every field of a revision record, in the spec's order, and nothing more. */
export function assertRevision(revision: WireRevision, expected: ExpectedRevision): void {
  assert.deepEqual(Object.keys(revision), [
    'dataFileRevisionId',
    'dataFileId',
    'contentType',
    'uploadUserId',
    'sizeBytes',
    'uploadTimeMillis',
    'md5Hash',
    'datetimeUploaded',
    'scanState',
    'sha256HashValue',
  ]);
  assertPositiveInteger(revision.dataFileRevisionId, 'dataFileRevisionId');
  if (expected.revisionId !== undefined) assert.equal(revision.dataFileRevisionId, expected.revisionId, 'dataFileRevisionId');
  assert.equal(revision.dataFileId, expected.dataFileId, 'dataFileId');
  assert.equal(revision.contentType, expected.contentType, 'contentType');
  assert.equal(revision.uploadUserId, expected.uploader.id, 'uploadUserId');
  assert.equal(revision.sizeBytes, expected.bytes.byteLength, 'sizeBytes');
  assert.ok(
    Number.isInteger(revision.uploadTimeMillis) && revision.uploadTimeMillis >= 0,
    `uploadTimeMillis is a non-negative integer, got ${revision.uploadTimeMillis}`,
  );
  const [before, after] = expected.uploadedBetween;
  assert.ok(
    revision.uploadTimeMillis <= after - before + EPOCH_SLACK_MS,
    `uploadTimeMillis ${revision.uploadTimeMillis} fits in the upload call (${after - before} ms)`,
  );
  assert.equal(revision.md5Hash, md5Hex(expected.bytes), 'md5Hash (upper-case hex)');
  assertEpochMillis(revision.datetimeUploaded, expected.uploadedBetween, 'datetimeUploaded');
  assert.equal(revision.scanState, 'NOT_SCANNED', 'scanState');
  assert.equal(revision.sha256HashValue, sha256Hex(expected.bytes), 'sha256HashValue (upper-case hex)');
}

export interface ExpectedFile {
  dataFileId: number;
  name: string;
  owner: TestUser;
  createdBetween: [number, number];
  current: ExpectedRevision;
  /** With expand=metadata. */
  metadata?: { description: string; publicAccess: boolean };
  /** With expand=revisions: every revision, newest first (the current one included). */
  revisions?: ExpectedRevision[];
}

/** Checks every field of a file record; `revisions` is [] and metadata absent unless expected. */
export function assertFile(file: WireFile, expected: ExpectedFile): void {
  const keys = ['dataFileId', 'name', 'responsibleUserId', 'currentRevision', 'datetimeCreated', 'revisions', 'existing'];
  if (expected.metadata) keys.push('description', 'publicAccess');
  assert.deepEqual(Object.keys(file).sort(), keys.sort(), 'the fields of a file record');
  assert.equal(file.dataFileId, expected.dataFileId, 'dataFileId');
  assert.equal(file.name, expected.name, 'name');
  assert.equal(file.responsibleUserId, expected.owner.id, 'responsibleUserId');
  assertRevision(file.currentRevision, expected.current);
  assertEpochMillis(file.datetimeCreated, expected.createdBetween, 'datetimeCreated');
  assert.ok(file.datetimeCreated <= file.currentRevision.datetimeUploaded, 'created no later than its current revision was uploaded');
  if (expected.revisions) {
    assert.equal(file.revisions.length, expected.revisions.length, 'revisions count');
    expected.revisions.forEach((revision, index) => assertRevision(file.revisions[index], revision));
    assert.deepEqual(file.revisions[0], file.currentRevision, 'the newest revision is the current one');
  } else {
    assert.deepEqual(file.revisions, [], 'revisions is [] unless expanded');
  }
  assert.equal(file.existing, false, 'existing');
  if (expected.metadata) {
    assert.equal(file.description, expected.metadata.description, 'description');
    assert.equal(file.publicAccess, expected.metadata.publicAccess, 'publicAccess');
  }
}

/** A ryuu.js rejection carrying Domo's error body {status, statusReason, message, toe}. */
export async function assertDomoError(
  promise: Promise<unknown>,
  status: number,
  statusReason: string,
): Promise<{ status: number; statusReason: string; message: string; toe: string }> {
  let rejection: unknown;
  await assert.rejects(promise, (error: unknown) => {
    rejection = error;
    return true;
  });
  assert.ok(rejection instanceof Error, 'ryuu.js rejects with an Error');
  const caught = rejection as Error & { status?: number; statusText?: string; body?: string; headers?: Record<string, string> };
  assert.equal(caught.status, status, `status (${caught.message})`);
  assert.equal(caught.statusText, statusReason, 'statusText');
  assert.equal(typeof caught.body, 'string', 'body is the response text');
  const body = JSON.parse(caught.body as string);
  assert.deepEqual(Object.keys(body).sort(), ['message', 'status', 'statusReason', 'toe'], "Domo's error shape");
  assert.equal(body.status, status, 'body.status');
  assert.equal(body.statusReason, statusReason, 'body.statusReason');
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0, 'a message');
  assert.equal(typeof body.toe, 'string');
  assert.ok(body.toe.length > 0, 'a toe');
  assert.equal(caught.headers?.['x-request-id'], body.toe, 'toe is the X-Request-Id');
  assert.equal(caught.message, `HTTP error ${status}: ${caught.body}`, "ryuu.js's message carries the body");
  return body;
}

/** Runs `action` and returns it with the [before, after] Date.now() around it. */
export async function timed<T>(action: () => Promise<T>): Promise<{ result: T; between: [number, number] }> {
  const before = Date.now();
  const result = await action();
  return { result, between: [before, Date.now()] };
}

export const withoutMetadata = (expected: ExpectedFile): ExpectedFile => ({ ...expected, metadata: undefined });

/** A File (node:buffer's, as a browser's) or Blob to upload, and the type the server must give it. */
export interface Upload {
  file: Blob;
  name: string;
  description?: string;
  isPublic?: boolean;
  contentType: string;
}

/** uploadFile through the spec's example as `user`; returns what the server must then say about the file. */
export async function uploadVia(world: RyuuFilesWorld, user: TestUser, input: Upload): Promise<ExpectedFile> {
  const bytes = Buffer.from(await input.file.arrayBuffer());
  const { result, between } = await timed(() => world.as(user, () => world.api.uploadFile(input.name, input.description, input.isPublic, input.file)));
  assert.deepEqual(Object.keys(result), ['dataFileId'], 'the reply is {dataFileId}');
  assertPositiveInteger(result.dataFileId, 'dataFileId');
  return {
    dataFileId: result.dataFileId,
    name: input.name,
    owner: user,
    createdBetween: between,
    current: { dataFileId: result.dataFileId, uploader: user, bytes, contentType: input.contentType, uploadedBetween: between },
    metadata: { description: input.description ?? '', publicAccess: input.isPublic ?? false },
  };
}

/** uploadRevision through the spec's example as `user`; returns the revision the server must now report. */
export async function reviseVia(world: RyuuFilesWorld, user: TestUser, dataFileId: number, file: Blob, contentType: string): Promise<ExpectedRevision> {
  const bytes = Buffer.from(await file.arrayBuffer());
  const { result, between } = await timed(() => world.as(user, () => world.api.uploadRevision(file, dataFileId)));
  assert.deepEqual(Object.keys(result), ['revisionId'], 'the reply is {revisionId}');
  assertPositiveInteger(result.revisionId, 'revisionId');
  return { dataFileId, uploader: user, bytes, contentType, uploadedBetween: between, revisionId: result.revisionId };
}
