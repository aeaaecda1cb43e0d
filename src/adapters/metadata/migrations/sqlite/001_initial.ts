// The first SQLite schema. Ids are INTEGER PRIMARY KEY AUTOINCREMENT so a deleted file's id is
// never handed out again; booleans are 0/1 integers; timestamps are epoch-millisecond integers.
import { sql, type Kysely, type Migration } from 'kysely';

const ENUM_CHECKS = {
  scanState: `('NOT_SCANNED', 'PENDING', 'SAFE', 'INFECTED', 'FAILED')`,
  entityType: `('USER', 'GROUP')`,
  grant: `('READ', 'READ_WRITE', 'READ_WRITE_DELETE', 'READ_WRITE_DELETE_SHARE', 'READ_WRITE_DELETE_SHARE_ADMIN')`,
  pass: `('NONE', 'READ', 'READ_WRITE', 'READ_WRITE_DELETE', 'READ_WRITE_DELETE_SHARE', 'READ_WRITE_DELETE_SHARE_ADMIN')`,
  sessionState: `('OPEN', 'COMMITTING', 'COMMITTED', 'ABORTED', 'EXPIRED')`,
};

const statements = [
  `create table users (
    id integer primary key autoincrement,
    name text not null unique,
    is_admin integer not null check (is_admin in (0, 1)),
    created_at integer not null
  )`,
  `create table user_tokens (
    token_hash text primary key,
    user_id integer not null references users (id) on delete cascade,
    created_at integer not null
  )`,
  `create index user_tokens_by_user on user_tokens (user_id)`,
  `create table user_groups (
    id integer primary key autoincrement,
    name text not null unique
  )`,
  `create table group_members (
    group_id integer not null references user_groups (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    primary key (group_id, user_id)
  ) without rowid`,
  `create index group_members_by_user on group_members (user_id, group_id)`,
  // current_revision_id references a table created below; SQLite resolves foreign keys lazily.
  `create table files (
    id integer primary key autoincrement,
    name text not null,
    description text not null,
    owner_id integer not null references users (id),
    public_access integer not null check (public_access in (0, 1)),
    created_at integer not null,
    current_revision_id integer references revisions (id)
  )`,
  `create index files_by_owner on files (owner_id, id)`,
  // Deleting a revision checks that no file still points at it; without this index, a scan.
  `create index files_by_current_revision on files (current_revision_id)`,
  `create table revisions (
    id integer primary key autoincrement,
    file_id integer not null references files (id) on delete cascade,
    blob_key text not null,
    size_bytes integer not null,
    md5 text not null,
    sha256 text not null,
    content_type text not null,
    upload_user_id integer not null references users (id),
    upload_time_millis integer not null,
    uploaded_at integer not null,
    scan_state text not null check (scan_state in ${ENUM_CHECKS.scanState})
  )`,
  `create index revisions_by_file on revisions (file_id, id)`,
  `create index revisions_by_blob_key on revisions (blob_key)`,
  `create table file_permissions (
    file_id integer not null references files (id) on delete cascade,
    entity_type text not null check (entity_type in ${ENUM_CHECKS.entityType}),
    entity_id integer not null,
    grant_name text not null check (grant_name in ${ENUM_CHECKS.grant}),
    pass text not null check (pass in ${ENUM_CHECKS.pass}),
    primary key (file_id, entity_type, entity_id)
  ) without rowid`,
  // Listing asks "which files name this user or one of its groups?".
  `create index file_permissions_by_entity on file_permissions (entity_type, entity_id, file_id)`,
  // file_id has no foreign key: an update session outlives a deleted file, and its commit then
  // fails with FILE_NOT_FOUND (a cascade would silently turn it into a new-file session).
  `create table upload_sessions (
    id text primary key,
    owner_id integer not null references users (id),
    file_id integer,
    name text not null,
    description text not null,
    content_type text not null,
    state text not null check (state in ${ENUM_CHECKS.sessionState}),
    blob_upload_id text not null,
    created_at integer not null,
    updated_at integer not null,
    expires_at integer not null,
    committed_file_id integer,
    committed_revision_id integer
  )`,
  `create index upload_sessions_by_expiry on upload_sessions (state, expires_at)`,
  `create table upload_session_parts (
    session_id text not null references upload_sessions (id) on delete cascade,
    part_index integer not null,
    size_bytes integer not null,
    sha256 text not null,
    md5 text not null,
    uploaded_at integer not null,
    primary key (session_id, part_index)
  ) without rowid`,
];

export const initialSqliteMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) {
      await sql.raw(statement).execute(db);
    }
  },
};
