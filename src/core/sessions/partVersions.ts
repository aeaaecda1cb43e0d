// docs/decisions.md 50: every write of a part is a version of its own in the blob store, and the
// metadata store records which version holds a part's bytes. Recording one is refused once a
// commit has begun (the session's parts are fixed from then on); the version it leaves unrecorded,
// the refused one or the one it replaced, is removed at once, best effort (whatever stays goes
// with the upload when it is completed or aborted). Only a surely refused recording drops its
// version: one whose outcome is unknown (the database did not answer) may have been recorded.
import { commitSurelyFailed } from '../files/commitOutcome.js';
import type { SessionPart } from '../model.js';
import type { BlobStore } from '../ports/blobStore.js';
import type { MetadataStore } from '../ports/metadataStore.js';

export async function recordPartVersion(
  deps: { metadata: MetadataStore; blobs: BlobStore; log?: { debug?(object: object, message: string): void } },
  input: { sessionId: string; uploadId: string; part: SessionPart & { blobVersion: string }; expiresAt: number },
): Promise<void> {
  const { uploadId, part } = input;
  const drop = (version: string): void => {
    deps.blobs
      .deletePart({ uploadId, index: part.index, version })
      .catch((error: unknown) => deps.log?.debug?.({ err: error, uploadId, index: part.index }, 'could not remove an unrecorded part version'));
  };
  let replaced: SessionPart | undefined;
  try {
    // SESSION_CLOSED (409) unless the session is still OPEN.
    ({ replaced } = await deps.metadata.sessions.putPart({ sessionId: input.sessionId, part, expiresAt: input.expiresAt }));
  } catch (error) {
    // docs/decisions.md 142 and 184: a statement that timed out may still commit, recording this
    // version after all; its bytes stay then (they go with the upload when it is completed or aborted).
    if (commitSurelyFailed(error)) drop(part.blobVersion);
    throw error;
  }
  if (replaced?.blobVersion !== undefined && replaced.blobVersion !== part.blobVersion) drop(replaced.blobVersion);
}
