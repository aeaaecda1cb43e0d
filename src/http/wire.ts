// Records in the shapes of the spec's responses, with docs/decisions.md 1–3 (epoch millis, integer
// ids, upper-case hashes) and 10–12 (currentRevision always, revisions only with expand,
// metadata fields only with expand=metadata, existing false).
import type { Static } from '@sinclair/typebox';
import type { FileDetails } from '../core/files/fileService.js';
import type { Permissions, RevisionRecord } from '../core/model.js';
import type { FileDetailsBody, PermissionsBody, Revision } from './schemas.js';

// Each function answers its schema's static type (schemas.ts), so a shape that drifts from the
// schema, and from the SDK's types generated from it, is a compile error.

export function revisionToWire(revision: RevisionRecord): Static<typeof Revision> {
  return {
    dataFileRevisionId: revision.id,
    dataFileId: revision.fileId,
    contentType: revision.contentType,
    uploadUserId: revision.uploadUserId,
    sizeBytes: revision.sizeBytes,
    uploadTimeMillis: revision.uploadTimeMillis,
    md5Hash: revision.md5,
    datetimeUploaded: revision.uploadedAt,
    scanState: revision.scanState,
    sha256HashValue: revision.sha256,
  };
}

export function fileToWire(details: FileDetails, options: { metadata: boolean }): Static<typeof FileDetailsBody> {
  const { file } = details;
  return {
    dataFileId: file.id,
    name: file.name,
    responsibleUserId: file.ownerId,
    ...(options.metadata ? { description: file.description, publicAccess: file.publicAccess } : {}),
    currentRevision: revisionToWire(details.currentRevision),
    datetimeCreated: file.createdAt,
    revisions: (details.revisions ?? []).map(revisionToWire),
    existing: false,
  };
}

export function permissionsToWire(permissions: Permissions): Static<typeof PermissionsBody> {
  return {
    publicAccess: permissions.publicAccess,
    entries: permissions.entries.map((entry) => ({
      entityType: entry.entityType,
      entityId: String(entry.entityId),
      grant: entry.grant,
      // docs/decisions.md 37: pass grants nothing; a value stored before it was limited to NONE
      // is answered as NONE, so a client that sends back what it read is not refused.
      pass: 'NONE',
    })),
  };
}
