// The MetadataStore port over Kysely: one set of queries for SQLite and PostgreSQL
// (docs/architecture.md, "One metadata query layer for both databases"). The dialect-specific parts
// (opening, pragmas, pools, migrations) live in openSqliteMetadataStore.ts and
// openPostgresMetadataStore.ts.
import { sql, type Kysely } from 'kysely';
import type { MetadataStore } from '../../core/ports/metadataStore.js';
import { createAccountStore } from './accountStore.js';
import { createAuditStore } from './auditStore.js';
import { createFileStore } from './fileStore.js';
import { createPermissionStore } from './permissionStore.js';
import { createPrincipalStore } from './principalStore.js';
import type { MetadataDatabase } from './schema.js';
import { createScanQueueStore } from './scanQueueStore.js';
import { createSessionStore } from './sessionStore.js';
import { createSignInCodeStore } from './signInCodeStore.js';
import { createVerificationStore } from './verificationQueries.js';
import type { SqlDialect } from './sqlDialect.js';
import { databaseErrorTranslator, withTranslatedErrors } from './translateErrors.js';

export function createKyselyMetadataStore(db: Kysely<MetadataDatabase>, dialect: SqlDialect): MetadataStore {
  const translate = databaseErrorTranslator(dialect);
  let closing: Promise<void> | undefined;
  return {
    principals: withTranslatedErrors(createPrincipalStore(db, dialect), translate),
    files: withTranslatedErrors(createFileStore(db, dialect), translate),
    permissions: withTranslatedErrors(createPermissionStore(db, dialect), translate),
    sessions: withTranslatedErrors(createSessionStore(db, dialect), translate),
    accounts: withTranslatedErrors(createAccountStore(db, dialect), translate),
    audit: withTranslatedErrors(createAuditStore(db), translate),
    scans: withTranslatedErrors(createScanQueueStore(db, dialect), translate),
    verification: withTranslatedErrors(createVerificationStore(db), translate),
    signInCodes: withTranslatedErrors(createSignInCodeStore(db), translate),
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        throw translate(error);
      }
    },
    /** Idempotent: a second close waits for the first. */
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}
