// Multipart upload sessions and their parts (docs/decisions.md 22–25), persisted so that they survive
// a restart, with the state machine OPEN → COMMITTING → COMMITTED | ABORTED | EXPIRED.
import { sql, type Kysely, type Selectable } from 'kysely';
import { DomainError } from '../../core/errors.js';
import type { SessionPart, SessionState, UploadSessionRecord } from '../../core/model.js';
import type { SessionStore } from '../../core/ports/metadataStore.js';
import { tooManySessions } from '../../core/sessions/sessionRules.js';
import { toSessionPart, toSessionRecord } from './rowMappers.js';
import type { MetadataDatabase, UploadSessionPartsTable } from './schema.js';
import { forUpdate, type SqlDialect } from './sqlDialect.js';

export function createSessionStore(db: Kysely<MetadataDatabase>, dialect: SqlDialect): SessionStore {
  return {
    async createSession(session, options) {
      const limit = options?.maxOpenPerOwner;
      try {
        if (limit === undefined) await insertSession(db, session);
        else {
          await db.transaction().execute(async (trx) => {
            // Serialises one owner's creations on PostgreSQL (SQLite's BEGIN IMMEDIATE serialises all writers).
            await forUpdate(trx.selectFrom('users').select('id').where('id', '=', session.ownerId), dialect).executeTakeFirst();
            const open = await countOpen(trx, session.ownerId, session.createdAt);
            if (open >= limit) throw tooManySessions(limit);
            await insertSession(trx, session);
          });
        }
      } catch (error) {
        if (dialect.isForeignKeyViolation(error)) throw new DomainError('USER_NOT_FOUND', undefined, { cause: error });
        if (dialect.isUniqueViolation(error)) throw new DomainError('CONFLICT', 'A session with that id already exists.', { cause: error });
        throw error;
      }
    },

    async countOpenSessions({ ownerId, now }) {
      return countOpen(db, ownerId, now);
    },

    async getSession(id) {
      const row = await db.selectFrom('upload_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSessionRecord(row);
    },

    /**
     * Compare-and-set in one conditional UPDATE: "concurrent commits yield one revision"
     * (docs/decisions.md 23). The UPDATE takes the row lock itself, which is what SELECT … FOR UPDATE
     * would add: on PostgreSQL a second transition waits for the first to commit, re-reads the
     * row, no longer finds it in `from` and changes nothing; on SQLite writers are serialised.
     */
    async transitionSession({ id, from, to, at, committedFileId, committedRevisionId, partsReleased, unchangedSince }) {
      let update = db
        .updateTable('upload_sessions')
        .set({
          state: to,
          updated_at: at,
          ...(committedFileId !== undefined && { committed_file_id: committedFileId }),
          ...(committedRevisionId !== undefined && { committed_revision_id: committedRevisionId }),
          ...(partsReleased !== undefined && { parts_released: partsReleased }),
        })
        .where('id', '=', id)
        .where('state', '=', from);
      if (unchangedSince !== undefined) update = update.where('updated_at', '=', unchangedSince);
      const row = await update.returningAll().executeTakeFirst();
      if (row) return toSessionRecord(row);
      await assertSessionExists(db, id);
      return undefined;
    },

    /**
     * docs/decisions.md 22: "Re-uploading an index replaces that part." Under the session's row lock,
     * and only while it is OPEN: a commit's compare-and-set to COMMITTING takes the same lock, so
     * the parts it lists afterwards are final (docs/decisions.md 50).
     */
    async putPart({ sessionId, part, expiresAt }) {
      if (dialect.name === 'postgres') return putPartOnPostgres(db, { sessionId, part, expiresAt });
      return db.transaction().execute(async (trx) => {
        const session = await forUpdate(trx.selectFrom('upload_sessions').select(['id', 'state']).where('id', '=', sessionId), dialect).executeTakeFirst();
        if (!session) throw new DomainError('SESSION_NOT_FOUND');
        if (session.state !== 'OPEN') throw partRefused(session.state);
        const previous = await trx
          .selectFrom('upload_session_parts')
          .selectAll()
          .where('session_id', '=', sessionId)
          .where('part_index', '=', part.index)
          .executeTakeFirst();
        const values = { size_bytes: part.sizeBytes, sha256: part.sha256, uploaded_at: part.uploadedAt, blob_version: part.blobVersion ?? null };
        await trx
          .insertInto('upload_session_parts')
          .values({ session_id: sessionId, part_index: part.index, ...values })
          .onConflict((conflict) => conflict.columns(['session_id', 'part_index']).doUpdateSet(values))
          .execute();
        // docs/decisions.md 24: sessions *idle* longer than the TTL expire, so each part renews it.
        await trx.updateTable('upload_sessions').set({ updated_at: part.uploadedAt, expires_at: expiresAt }).where('id', '=', sessionId).execute();
        return previous ? { replaced: toSessionPart(previous) } : {};
      });
    },

    async listParts(sessionId) {
      const rows = await db.selectFrom('upload_session_parts').selectAll().where('session_id', '=', sessionId).orderBy('part_index').execute();
      return rows.map(toSessionPart);
    },

    async listStaleCommits({ updatedBefore, limit }) {
      const rows = await db
        .selectFrom('upload_sessions')
        .selectAll()
        .where('state', '=', 'COMMITTING')
        .where('updated_at', '<', updatedBefore)
        .orderBy('updated_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toSessionRecord);
    },

    /**
     * docs/decisions.md 179: one UPDATE closes a whole batch, where a compare-and-set per session
     * cost a round trip (and, on SQLite, a commit) each. The outer conditions are checked again on
     * the row the UPDATE locks, so a session a part renewed or a commit claimed meanwhile (another
     * server, on PostgreSQL) is left as it is.
     */
    async expireSessions({ now, at, limit }) {
      const rows = await db
        .updateTable('upload_sessions')
        .set({ state: 'EXPIRED', updated_at: at })
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('upload_sessions')
            .select('id')
            .where('state', '=', 'OPEN')
            .where('expires_at', '<', now)
            .orderBy('expires_at')
            .orderBy('id')
            .limit(limit),
        )
        .where('state', '=', 'OPEN')
        .where('expires_at', '<', now)
        .returningAll()
        .execute();
      return rows.map(toSessionRecord).sort((a, b) => a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async markManyPartsReleased(ids) {
      if (ids.length === 0) return;
      await db.updateTable('upload_sessions').set({ parts_released: true }).where('id', 'in', ids).where('state', 'in', CLOSED_STATES).execute();
    },

    async markPartsReleased(id) {
      const { numUpdatedRows } = await db
        .updateTable('upload_sessions')
        .set({ parts_released: true })
        .where('id', '=', id)
        .where('state', 'in', CLOSED_STATES)
        .executeTakeFirst();
      if (numUpdatedRows > 0n) return true;
      await assertSessionExists(db, id);
      return false;
    },

    /** Keyset paging on (updated_at, id); the index upload_sessions_unreleased (migration 003) finds the few candidates. */
    async listUnreleasedSessions({ closedBefore, limit, after }) {
      let query = db
        .selectFrom('upload_sessions')
        .selectAll()
        .where('parts_released', '=', false)
        .where('state', 'in', ['ABORTED', 'EXPIRED'])
        .where('updated_at', '<', closedBefore);
      if (after) {
        query = query.where((eb) => eb.or([eb('updated_at', '>', after.updatedAt), eb.and([eb('updated_at', '=', after.updatedAt), eb('id', '>', after.id)])]));
      }
      const rows = await query.orderBy('updated_at').orderBy('id').limit(limit).execute();
      return rows.map(toSessionRecord);
    },
  };
}

function partRefused(state: string): DomainError {
  return new DomainError(
    'SESSION_CLOSED',
    `The upload session is ${state === 'COMMITTING' ? 'being committed' : 'closed'}; its parts can no longer change, and this part was not stored.`,
  );
}

/**
 * docs/decisions.md 176: putPart on PostgreSQL in one statement instead of BEGIN, four statements,
 * COMMIT (six round trips for every part). The session's row lock is taken first (`session`), and
 * a locked row is read in its latest version, so a commit's move to COMMITTING is seen and the
 * part refused, as in the transaction. The part it replaced is read from the statement's snapshot:
 * if another write of the same part committed while this one waited for the lock, the version
 * reported as replaced is the older one, and the other write's version stays in the blob store
 * until the upload is completed or aborted (what docs/decisions.md 50 already allows for).
 */
async function putPartOnPostgres(
  db: Kysely<MetadataDatabase>,
  input: { sessionId: string; part: SessionPart; expiresAt: number },
): Promise<{ replaced?: SessionPart }> {
  const { sessionId, part, expiresAt } = input;
  const { rows } = await sql<{ state: string; previous: Selectable<UploadSessionPartsTable> | null }>`
    with session as (select id, state from upload_sessions where id = ${sessionId}::text for update),
    previous as (
      select p.* from upload_session_parts p, session
      where p.session_id = ${sessionId}::text and p.part_index = ${part.index}::integer and session.state = 'OPEN'
    ),
    stored as (
      insert into upload_session_parts (session_id, part_index, size_bytes, sha256, uploaded_at, blob_version)
      select ${sessionId}::text, ${part.index}::integer, ${part.sizeBytes}::bigint, ${part.sha256}::text, ${part.uploadedAt}::bigint,
        ${part.blobVersion ?? null}::text
      from session where session.state = 'OPEN'
      on conflict (session_id, part_index) do update
        set size_bytes = excluded.size_bytes, sha256 = excluded.sha256, uploaded_at = excluded.uploaded_at, blob_version = excluded.blob_version
    ),
    renewed as (
      update upload_sessions set updated_at = ${part.uploadedAt}::bigint, expires_at = ${expiresAt}::bigint
      where id = ${sessionId}::text and exists (select 1 from session where session.state = 'OPEN')
    )
    select session.state, (select row_to_json(previous) from previous) as previous from session`.execute(db);
  const row = rows.at(0);
  if (row === undefined) throw new DomainError('SESSION_NOT_FOUND');
  if (row.state !== 'OPEN') throw partRefused(row.state);
  return row.previous === null ? {} : { replaced: toSessionPart(row.previous) };
}

/** The states in which a session no longer takes parts or commits. */
const CLOSED_STATES: SessionState[] = ['COMMITTED', 'ABORTED', 'EXPIRED'];

/** SESSION_NOT_FOUND unless the session exists (an update that changed nothing says why). */
async function assertSessionExists(db: Kysely<MetadataDatabase>, id: string): Promise<void> {
  const exists = await db.selectFrom('upload_sessions').select('id').where('id', '=', id).executeTakeFirst();
  if (!exists) throw new DomainError('SESSION_NOT_FOUND');
}

function insertSession(db: Kysely<MetadataDatabase>, session: UploadSessionRecord) {
  return db
    .insertInto('upload_sessions')
    .values({
      id: session.id,
      owner_id: session.ownerId,
      file_id: session.fileId,
      name: session.name,
      description: session.description,
      content_type: session.contentType,
      state: session.state,
      blob_upload_id: session.blobUploadId,
      created_at: session.createdAt,
      updated_at: session.updatedAt,
      expires_at: session.expiresAt,
      committed_file_id: session.committedFileId,
      committed_revision_id: session.committedRevisionId,
      parts_released: session.partsReleased,
    })
    .execute();
}

/** The index upload_sessions_by_owner (migration 004) finds one owner's OPEN and COMMITTING rows. */
async function countOpen(db: Kysely<MetadataDatabase>, ownerId: number, now: number): Promise<number> {
  const row = await db
    .selectFrom('upload_sessions')
    .select((eb) => eb.fn.countAll().as('open'))
    .where('owner_id', '=', ownerId)
    .where((eb) => eb.or([eb('state', '=', 'COMMITTING'), eb.and([eb('state', '=', 'OPEN'), eb('expires_at', '>=', now)])]))
    .executeTakeFirstOrThrow();
  return Number(row.open);
}
