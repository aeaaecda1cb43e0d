import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Caller, FileRecord, PermissionEntry } from '../model.js';
import { effectiveGrant } from './fileAccess.js';
import { grantAtLeast, highestGrant } from './grants.js';

const file: FileRecord = { id: 1, name: 'f', description: '', ownerId: 10, publicAccess: false, createdAt: 0, currentRevisionId: 1 };
const caller = (id: number, groupIds: number[] = [], isAdmin = false): Caller => ({ user: { id, name: `u${id}`, isAdmin, createdAt: 0 }, groupIds });
const entry = (entityType: 'USER' | 'GROUP', entityId: number, grant: PermissionEntry['grant']): PermissionEntry => ({
  entityType,
  entityId,
  grant,
  pass: 'NONE',
});

describe('the grant ladder (docs/decisions.md 16)', () => {
  it('orders READ < READ_WRITE < READ_WRITE_DELETE < READ_WRITE_DELETE_SHARE < READ_WRITE_DELETE_SHARE_ADMIN', () => {
    assert.equal(grantAtLeast('READ_WRITE_DELETE', 'READ_WRITE'), true);
    assert.equal(grantAtLeast('READ', 'READ_WRITE'), false);
    assert.equal(grantAtLeast(undefined, 'READ'), false);
    assert.equal(highestGrant(['READ', 'READ_WRITE_DELETE_SHARE', undefined, 'READ_WRITE']), 'READ_WRITE_DELETE_SHARE');
  });
});

describe("a user's grant on a file (docs/decisions.md 16, 19)", () => {
  it('is ADMIN for the owner and for instance admins', () => {
    assert.equal(effectiveGrant(caller(10), file, []), 'READ_WRITE_DELETE_SHARE_ADMIN');
    assert.equal(effectiveGrant(caller(99, [], true), file, []), 'READ_WRITE_DELETE_SHARE_ADMIN');
  });
  it('is nothing for a stranger on a private file', () => {
    assert.equal(effectiveGrant(caller(20), file, [entry('USER', 21, 'READ')]), undefined);
  });
  it('is READ for anyone on a public file', () => {
    assert.equal(effectiveGrant(caller(20), { ...file, publicAccess: true }, []), 'READ');
  });
  it('is the highest of its own entry, its groups’ entries and public READ', () => {
    const entries = [entry('USER', 20, 'READ_WRITE'), entry('GROUP', 5, 'READ_WRITE_DELETE_SHARE'), entry('GROUP', 6, 'READ')];
    assert.equal(effectiveGrant(caller(20, [5]), file, entries), 'READ_WRITE_DELETE_SHARE');
    assert.equal(effectiveGrant(caller(20, [6]), file, entries), 'READ_WRITE');
    assert.equal(effectiveGrant(caller(30, [6]), { ...file, publicAccess: true }, entries), 'READ');
  });
  it('does not confuse a group id with a user id', () => {
    assert.equal(effectiveGrant(caller(5), file, [entry('GROUP', 5, 'READ')]), undefined);
  });
});
