// The operations measured on a generated instance (issue 17 item 2), each as latency samples:
// through the server's HTTP API (what a client waits for), except the sweeps, which run in the
// server on timers and are timed here by calling the same code on the same stores.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { openDiskBlobStore } from '../../src/adapters/blob/diskBlobStore.js';
import { openPostgresMetadataStore } from '../../src/adapters/metadata/openPostgresMetadataStore.js';
import { openSqliteMetadataStore } from '../../src/adapters/metadata/openSqliteMetadataStore.js';
import { sweepSessions } from '../../src/core/sessions/sessionSweep.js';
import { ORPHAN_CHECK_BATCH } from '../../src/core/files/orphanedBlobs.js';
import { now, seconds } from '../support/measure.js';
import type { Instance } from './instance.js';
import { timedCall, type ScaleServer } from './server.js';

export type Samples = Record<string, number[]>;

/** A deterministic sequence of file ids spread over the instance (not random: comparable runs). */
function spread(count: number, files: number, salt: number): number[] {
  return Array.from({ length: count }, (_unused, index) => 1 + ((index * 7_919 + salt * 104_729) % files));
}

/** generate.ts's revision count for file g (1 … 5): the same hash, in JavaScript. */
function revisionCount(g: number): number {
  return 1 + ((Math.floor(((g * (2654435761 + 40503)) % 4294967296) / 7) % 1000) % 5);
}

async function sample(into: number[], count: number, work: (index: number) => Promise<number | void>): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const started = now();
    const timed = await work(index);
    into.push(typeof timed === 'number' ? timed : seconds(started));
  }
}

export async function measureOverHttp(instance: Instance, server: ScaleServer, log: (line: string) => void): Promise<Samples> {
  const { tokens, shape } = instance;
  const samples: Samples = {
    details: [],
    accessCheck: [],
    listFirstPage: [],
    listPage: [],
    listWalk: [],
    uploadCommit: [],
    sessionCommit: [],
    revisionDelete: [],
  };
  // Warm-up: the first requests pay for connection set-up and cold caches, at every size alike.
  for (const id of spread(20, shape.files, 9)) await timedCall(server, tokens.admin, `/${id}/details`);

  await sample(samples.details, 200, async (index) => (await timedCall(server, tokens.admin, `/${spread(200, shape.files, 1)[index]}/details`)).seconds);
  // The typical user asks for files it may or may not read: each answer runs the access check.
  await sample(
    samples.accessCheck,
    200,
    async (index) => (await timedCall(server, tokens.user, `/${spread(200, shape.files, 2)[index]}/details`, { allow: [403, 404] })).seconds,
  );
  await sample(samples.listFirstPage, 100, async () => (await timedCall(server, tokens.user, '/details?limitToOwned=false&limit=100')).seconds);
  // Paging through the typical user's list to its end, by key, until 100 full pages are timed
  // (two walks at 1M, fifty at 10k): the last, partial page and the empty one that ends a walk
  // are cheaper and would make the small instance's pages look faster than they are.
  let visible = 0;
  for (let walk = 0; walk < 2 || (samples.listPage.length < 100 && walk < 100); walk += 1) {
    const started = now();
    visible = 0;
    for (let after = 0; ;) {
      const page = await timedCall(server, tokens.user, `/details?limitToOwned=false&limit=100&after=${after}`);
      if (page.body.length === 100) samples.listPage.push(page.seconds);
      if (page.body.length === 0) break;
      visible += page.body.length;
      after = page.body[page.body.length - 1].dataFileId;
    }
    samples.listWalk.push(seconds(started));
  }
  log(`    the typical user (${instance.typicalUserId}) reads ${visible} files`);

  const content = new Blob(['sixteen bytes!!\n'], { type: 'text/plain' });
  await sample(samples.uploadCommit, 100, async (index) => {
    const form = new FormData();
    form.append('file', content, `u${index}.txt`);
    return (await timedCall(server, tokens.user, `?name=u${index}.txt`, { method: 'POST', body: form })).seconds;
  });

  const part = new TextEncoder().encode('one part, a few bytes\n');
  const checksum = createHash('sha256').update(part).digest('hex');
  await sample(samples.sessionCommit, 50, async (index) => {
    const { body } = await timedCall(server, tokens.user, '/multipart', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `s${index}.bin`, contentType: 'application/octet-stream' }),
    });
    const sessionId = body.sessionId as string;
    await timedCall(server, tokens.user, `/multipart/${sessionId}/part/1?checksum=${checksum}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: part,
    });
    const commit = await timedCall(server, tokens.user, `/multipart/${sessionId}/commit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, totalParts: 1 }),
    });
    return commit.seconds;
  });

  // An older revision of files that have more than one: the file stays, its current one too.
  const deletable = spread(400, shape.files, 3)
    .filter((g) => revisionCount(g) >= 2)
    .slice(0, 100);
  await sample(samples.revisionDelete, deletable.length, async (index) => {
    const g = deletable[index];
    return (await timedCall(server, tokens.admin, `/${g}/revisions/${(g - 1) * 5 + 1}`, { method: 'DELETE' })).seconds;
  });
  return samples;
}

/**
 * The sweeps' cost: a pass of the upload-session sweep (as the server runs it every minute, at a
 * time when nothing is due: the steady state), and the orphan sweep's question for a batch of
 * stored blobs ("which of these does a revision name?"), half of them named, half orphans.
 */
export async function measureSweeps(instance: Instance): Promise<Samples> {
  const metadata =
    instance.backend === 'sqlite'
      ? await openSqliteMetadataStore({ path: instance.database, create: false })
      : await openPostgresMetadataStore({ connectionString: instance.database, create: false });
  const blobs = await openDiskBlobStore({ root: path.join(instance.dataDir, 'files'), exclusive: false });
  const samples: Samples = { sessionSweep: [], orphanCheck: [] };
  try {
    const at = Date.now();
    await sample(samples.sessionSweep, 100, async () => {
      await sweepSessions({ metadata, blobs, now: at, closedGraceMs: 60_000, commitLeaseMs: 120_000 });
    });
    // Batches as the sweep asks them (ORPHAN_CHECK_BATCH keys per question; docs/decisions.md 183).
    const keys = spread(60 * ORPHAN_CHECK_BATCH, instance.shape.files, 4).map((g, index) =>
      ((g - 1) * 5 + 1 + (index % 2 === 0 ? 0 : 5_000_000_000)).toString(16).padStart(32, '0'),
    );
    await sample(samples.orphanCheck, 60, async (index) => {
      await metadata.files.referencedBlobKeys(keys.slice(index * ORPHAN_CHECK_BATCH, (index + 1) * ORPHAN_CHECK_BATCH));
    });
  } finally {
    await blobs.close?.();
    await metadata.close();
  }
  return samples;
}
