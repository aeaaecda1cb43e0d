// Fills a freshly migrated metadata store with a big instance, straight in SQL (issue 17 item 1):
// no API, no per-row round trip. Every row is computed by the database itself from a number
// series (a recursive CTE on SQLite, generate_series on PostgreSQL) and integer hashes of it, so
// 1,000,000 files and ~3,000,000 revisions take one INSERT … SELECT per table.
//
// The shape, for F files (the same ratios at every size, so a user sees about as many owned and
// shared files at 10,000 files as at 1,000,000; only the public files grow with F):
// - users: F / 100 regular users (ids 2…), plus user 1 'admin'; groups: F / 1000, every user in
//   three of them. User 2 is a service account owning every tenth file (the 100,000-file list).
// - revisions: 1 to 5 per file (3 on average); ids (file - 1) * 5 + n, so the current one is
//   known without a second pass, and ids have gaps as deleted revisions leave them.
// - permissions: 0.5% of files public, 15% shared with one to three users, 5% with a group, the
//   rest private to their owner.
// - tokens: one per user (a hash no secret matches), plus the ones the caller asks for.
// - upload sessions: F / 10 of them, one in 20 still OPEN (expiring a week from now), the rest COMMITTED.
// - blobs: none exist; every revision names its own 32-hex key (the metadata is the point).
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

export interface Shape {
  files: number;
  users: number;
  groups: number;
}

export function shapeFor(files: number): Shape {
  return { files, users: Math.max(10, Math.floor(files / 100)), groups: Math.max(3, Math.floor(files / 1000)) };
}

/** A user id in 2 … users + 1 (user 1 is the admin). */
const userOf = (expr: string, users: number) => `(2 + (${expr}) % ${users})`;

/** A multiplicative hash of g into 0 … 999; each salt gives an independent-looking draw. */
const draw = (g: string, salt: number) => `((((${g}) * ${2654435761 + salt * 40503}) % 4294967296) / 7 % 1000)`;

const MD5 = 'D41D8CD98F00B204E9800998ECF8427E';
const SHA256 = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';
const BASE_TIME = 1_700_000_000_000;

type Dialect = 'sqlite' | 'postgres';

/** The statements that fill the tables, in order; `series(n, col)` names a row source 1 … n. */
function statements(shape: Shape, dialect: Dialect): string[] {
  const { files, users, groups } = shape;
  const series = (n: number, col: string) =>
    dialect === 'sqlite'
      ? `(with recursive s(${col}) as (select 1 union all select ${col} + 1 from s where ${col} < ${n}) select ${col} from s)`
      : `generate_series(1, ${n})`;
  const from = (n: number, col: string) => (dialect === 'sqlite' ? `from ${series(n, col)}` : `from ${series(n, col)} as s(${col})`);
  const hexKey = (expr: string) => (dialect === 'sqlite' ? `printf('%032x', ${expr})` : `lpad(to_hex(${expr}), 32, '0')`);
  const bool = (expr: string) => (dialect === 'sqlite' ? `(case when ${expr} then 1 else 0 end)` : `(${expr})`);
  const big = (expr: string) => (dialect === 'sqlite' ? expr : `(${expr})::bigint`);
  const g = big('g');
  const revisionCount = `(1 + ${draw(g, 1)} % 5)`;
  const owner = `(case when ${g} % 10 = 0 then 2 else ${userOf(`${g} * 7919`, users)} end)`;
  const share = draw(g, 2);
  // Relative to the real clock: sessions expired already would be expired by the server's first
  // sweep, which start-up waits for (5,000 at 1M took 26–62 s on the bench machine).
  const sessionsExpireAt = Date.now() + 7 * 86_400_000;
  const conflict = dialect === 'sqlite' ? 'insert or ignore into' : 'insert into';
  const onConflict = dialect === 'sqlite' ? '' : ' on conflict do nothing';
  return [
    `insert into users (id, name, is_admin, created_at) values (1, 'admin', ${dialect === 'sqlite' ? 1 : 'true'}, ${BASE_TIME})`,
    `insert into users (id, name, is_admin, created_at) select g + 1, 'user-' || (g + 1), ${bool('1 = 0')}, ${BASE_TIME} ${from(users, 'g')}`,
    `insert into user_groups (id, name) select g, 'group-' || g ${from(groups, 'g')}`,
    ...[1, 7, 13].map(
      (step) => `${conflict} group_members (group_id, user_id) select 1 + (${g} * ${step} + ${step}) % ${groups}, g + 1 ${from(users, 'g')}${onConflict}`,
    ),
    `insert into user_tokens (token_hash, user_id, created_at) select ${dialect === 'sqlite' ? "printf('%064x', g)" : "lpad(to_hex(g), 64, '0')"}, g, ${BASE_TIME} ${from(users + 1, 'g')}`,
    `insert into upload_sessions (id, owner_id, name, description, content_type, state, blob_upload_id, created_at, updated_at, expires_at, committed_file_id, parts_released)
       select ${hexKey(`${g} + 4294967296`)}, ${userOf(`${g} * 31`, users)}, 's.bin', '', 'application/octet-stream',
              case when ${g} % 20 = 0 then 'OPEN' else 'COMMITTED' end, ${hexKey(`${g} + 8589934592`)}, ${BASE_TIME} + ${g}, ${BASE_TIME} + ${g},
              ${sessionsExpireAt} + ${g}, case when ${g} % 20 = 0 then null else ${g} * 10 end, ${bool(`${g} % 20 <> 0`)}
       ${from(Math.max(1, Math.floor(files / 10)), 'g')}`,
    `insert into revisions (id, file_id, blob_key, size_bytes, md5, sha256, content_type, upload_user_id, upload_time_millis, uploaded_at, scan_state)
       select (${g} - 1) * 5 + n, g, ${hexKey(`(${g} - 1) * 5 + n`)}, 1024, '${MD5}', '${SHA256}', 'text/plain', ${owner}, 3,
              ${BASE_TIME} + ${g} * 10 + n, 'NOT_SCANNED'
       ${from(files, 'g')} join (select 1 as n union all select 2 union all select 3 union all select 4 union all select 5) as k on n <= ${revisionCount}
       order by g, n`,
    `insert into files (id, name, description, owner_id, public_access, created_at, current_revision_id)
       select g, 'file-' || g || '.txt', '', ${owner}, ${bool(`${share} < 5`)}, ${BASE_TIME} + ${g} * 10, (${g} - 1) * 5 + ${revisionCount}
       ${from(files, 'g')}`,
    // 15% shared with users: the first with READ, a second (two in three) and third (one in three) with READ_WRITE.
    ...[1, 2, 3].map(
      (j) =>
        `${conflict} file_permissions (file_id, entity_type, entity_id, grant_name, pass)
           select g, 'USER', ${userOf(`${g} * 7919 + ${j * 37}`, users)}, '${j === 1 ? 'READ' : 'READ_WRITE'}', 'NONE'
           ${from(files, 'g')} where ${share} >= 5 and ${share} < 155 and ${share} % 3 >= ${j - 1}${onConflict}`,
    ),
    `insert into file_permissions (file_id, entity_type, entity_id, grant_name, pass)
       select g, 'GROUP', 1 + ${draw(g, 3)} * ${groups} / 1000, 'READ', 'NONE' ${from(files, 'g')} where ${share} >= 155 and ${share} < 205`,
  ];
}

export interface TokenRow {
  userId: number;
  tokenHash: string;
}

/** Fills a SQLite database that `serve` has created and migrated (and has since closed). */
export function generateSqlite(file: string, shape: Shape, tokens: readonly TokenRow[]): void {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('foreign_keys = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1000000');
    db.transaction(() => {
      for (const statement of statements(shape, 'sqlite')) db.exec(statement);
      const insertToken = db.prepare('insert into user_tokens (token_hash, user_id, created_at) values (?, ?, ?)');
      for (const token of tokens) insertToken.run(token.tokenHash, token.userId, BASE_TIME);
    })();
    db.exec('analyze');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** Fills a PostgreSQL database that `serve` has created and migrated. */
export async function generatePostgres(connectionString: string, shape: Shape, tokens: readonly TokenRow[]): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('begin');
    // Foreign keys are checked by triggers, one per row; the generated rows are consistent by
    // construction, so the load skips them (needs a superuser, as the bench's PostgreSQL is).
    await client.query(`set local session_replication_role = replica`);
    await client.query(`set local maintenance_work_mem = '256MB'`);
    for (const statement of statements(shape, 'postgres')) await client.query(statement);
    for (const token of tokens) {
      await client.query('insert into user_tokens (token_hash, user_id, created_at) values ($1, $2, $3)', [token.tokenHash, token.userId, BASE_TIME]);
    }
    for (const table of ['users', 'user_groups', 'files', 'revisions']) {
      await client.query(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
    }
    await client.query('commit');
    await client.query('vacuum analyze');
    // Written out now, not by the checkpointer while the bench measures (about 1 GB at 1M).
    await client.query('checkpoint');
  } finally {
    await client.end();
  }
}
