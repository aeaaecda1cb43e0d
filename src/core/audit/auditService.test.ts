// AuditService on a real (in-memory SQLite) store with a pinned clock: retention, the
// at-most-every rule for repeated events, and a failed write that never fails the operation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSqliteMetadataStore } from '../../adapters/metadata/openSqliteMetadataStore.js';
import type { MetadataStore } from '../ports/metadataStore.js';
import { AuditService } from './auditService.js';
import { OPERATOR } from './model.js';

const DAY = 86_400_000;
let now = 1_800_000_000_000;
let store: MetadataStore;

before(async () => {
  store = await openSqliteMetadataStore({ path: ':memory:' });
});
after(() => store.close());

describe('AuditService', () => {
  it('expire() removes events past the retention, keeps the rest', async () => {
    const audit = new AuditService({ metadata: store, clock: { now: () => now }, retentionMs: 30 * DAY });
    await audit.record({ kind: 'user.created', actor: OPERATOR, subject: 'user:old' });
    now += 31 * DAY;
    await audit.record({ kind: 'user.created', actor: OPERATOR, subject: 'user:new' });
    assert.equal(await audit.expire(), 1);
    assert.deepEqual(
      (await audit.list({})).map((event) => event.subject),
      ['user:new'],
    );
  });

  it('recordAtMostEvery records one event per key and interval', async () => {
    const audit = new AuditService({ metadata: store, clock: { now: () => now } });
    for (let index = 0; index < 3; index += 1) audit.recordAtMostEvery('k', 60_000, { kind: 'auth.failed_burst', actor: OPERATOR, subject: 'address:x' });
    now += 60_000;
    audit.recordAtMostEvery('k', 60_000, { kind: 'auth.failed_burst', actor: OPERATOR, subject: 'address:x' });
    const deadline = Date.now() + 5000;
    while ((await audit.list({ kind: 'auth.failed_burst' })).length < 2 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await audit.list({ kind: 'auth.failed_burst' })).length, 2);
  });

  it('a failed write is logged as an error, never thrown', async () => {
    const errors: string[] = [];
    const broken = { ...store, audit: { ...store.audit, append: async () => Promise.reject(new Error('disk full')) } } as MetadataStore;
    const audit = new AuditService({ metadata: broken, clock: { now: () => now }, log: { info: () => {}, error: (_object, message) => errors.push(message) } });
    await audit.record({ kind: 'file.deleted', actor: OPERATOR, subject: 'file:1' });
    assert.deepEqual(errors, ['audit: recording file.deleted failed']);
  });
});
