// Stores upload sessions that expired while no server ran, each with a staged upload in the blob
// store, straight through the stores a stopped test server used (SQLite + disk or PostgreSQL +
// S3): what an instance that was down longer than the session TTL finds at start-up.
import { parseStorageConfig } from '../../src/config.js';
import { newSessionId } from '../../src/core/sessions/sessionIds.js';
import { openStores } from '../../src/server/openStores.js';
import type { TestServer } from './server.js';

/** The storage a test server was started with, for opening its stores directly (the server stopped or not). */
export function storageOf(server: Pick<TestServer, 'backend' | 'dataDir'>) {
  const after = (name: string) => {
    const index = server.backend.args.indexOf(name);
    return index < 0 ? undefined : server.backend.args[index + 1];
  };
  const values = {
    data: server.dataDir,
    'database-url': after('--database-url'),
    's3-endpoint': after('--s3-endpoint'),
    's3-bucket': after('--s3-bucket'),
    's3-region': after('--s3-region'),
  };
  return parseStorageConfig(values, { ...process.env, ...server.backend.env });
}

/** `count` OPEN sessions owned by `ownerId`, expired an hour ago; their ids. The server must be stopped. */
export async function storeExpiredSessions(server: Pick<TestServer, 'backend' | 'dataDir'>, input: { ownerId: number; count: number }): Promise<string[]> {
  const stores = await openStores(storageOf(server));
  try {
    const ids: string[] = [];
    const expiredAt = Date.now() - 60 * 60 * 1000;
    const one = async (n: number) => {
      const { uploadId } = await stores.blobs.createUpload();
      const id = newSessionId();
      await stores.metadata.sessions.createSession({
        id,
        ownerId: input.ownerId,
        fileId: null,
        name: `expired-${n}.bin`,
        description: '',
        contentType: 'application/octet-stream',
        state: 'OPEN',
        blobUploadId: uploadId,
        createdAt: expiredAt - 1000,
        updatedAt: expiredAt - 1000,
        expiresAt: expiredAt,
        committedFileId: null,
        committedRevisionId: null,
        partsReleased: false,
      });
      ids.push(id);
    };
    // A few at a time: 5,000 one by one on S3 would take minutes.
    const lanes = 16;
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        for (let n = lane; n < input.count; n += lanes) await one(n);
      }),
    );
    return ids;
  } finally {
    await stores.close();
  }
}
