// Every operation × every kind of caller, each cell asserting the HTTP status the rules in
// docs/decisions.md 16–20 call for:
//   16. "A user's grant is the highest of its own entry, its groups' entries, and READ if
//       publicAccess is true."
//   17. "Needed grant per operation: details, download, list → READ; upload a revision →
//       READ_WRITE; delete a revision or the file → READ_WRITE_DELETE; read and change permissions
//       → READ_WRITE_DELETE_SHARE. Only ADMIN may grant or revoke ADMIN. The owner's ADMIN entry
//       cannot be removed. A file the caller may not read is 404 …; one it may read but not change
//       is 403."
//   19. "The uploader becomes owner … Instance admins may do everything to every file."
//   20. "No valid token: 401."
//
// The expected status of a cell is never written by hand: it is computed from two small tables
// in test/support/permissionRules.ts (what each caller holds, what each operation needs) by the rule of docs/decisions.md 17.
// Mutating operations get a fresh file per cell; read-only ones share one file per caller.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { API, api, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';
import { LADDER, type Grant, ADMIN, type OperationName, NEEDS, expectedOutcome, type Identity, type CallerKind, CALLERS } from './support/permissionRules.js';

// ---------------------------------------------------------------------------------------------
// Fixtures: a file owned by `owner` with two revisions (FIRST, then SECOND, current), the caller's
// entry, and a `bystander` USER entry the ADMIN operations raise or lower.

const FIRST = 'first revision: the original bytes\n';
const SECOND = 'second revision: the current bytes\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex').toUpperCase();

interface WireEntry {
  entityType: 'USER' | 'GROUP';
  entityId: string;
  grant: Grant;
  pass: string;
}

interface Fixture {
  fileId: number;
  firstRevisionId: number;
  secondRevisionId: number;
  publicAccess: boolean;
  /** The entries the owner set (the server adds the owner's own). */
  entries: WireEntry[];
}

let server: TestServer;
const users = {} as Record<Identity | 'bystander', TestUser>;
let groupId: number;

function tokenOf(caller: CallerKind): string | undefined {
  if (caller.identity === 'none') return undefined;
  if (caller.identity === 'bad') return randomBytes(32).toString('base64url');
  return users[caller.identity].token;
}

async function ok(response: Response, what: string): Promise<any> {
  const text = await response.text();
  assert.equal(response.status, 200, `fixture: ${what} → ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

const asOwner = (path: string, init?: RequestInit) => api(server, users.owner.token, path, init);

function putPermissions(token: string | undefined, fileId: number, body: unknown): Promise<Response> {
  return api(server, token, `${API}/${fileId}/permissions`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function createFixture(caller: CallerKind, options: { bystanderGrant: Grant }): Promise<Fixture> {
  const { dataFileId: fileId } = await ok(
    await asOwner(`${API}?name=${encodeURIComponent(`matrix ${caller.name}`)}`, { method: 'POST', body: fileForm(FIRST, 'matrix.txt', 'text/plain') }),
    'upload',
  );
  const details = await ok(await asOwner(`${API}/${fileId}/details`), 'details');
  const { revisionId: secondRevisionId } = await ok(
    await asOwner(`${API}/${fileId}`, { method: 'PUT', body: fileForm(SECOND, 'matrix.txt', 'text/plain') }),
    'revision',
  );
  const entries: WireEntry[] = [{ entityType: 'USER', entityId: String(users.bystander.id), grant: options.bystanderGrant, pass: 'NONE' }];
  if (caller.entry) {
    const entityId = caller.entry.entityType === 'USER' ? users.grantee.id : groupId;
    entries.push({ entityType: caller.entry.entityType, entityId: String(entityId), grant: caller.entry.grant, pass: 'NONE' });
  }
  const publicAccess = caller.publicFile === true;
  await ok(await putPermissions(users.owner.token, fileId, { publicAccess, entries }), 'grant');
  return { fileId, firstRevisionId: details.currentRevision.dataFileRevisionId, secondRevisionId, publicAccess, entries };
}

/** What the owner sees of a file afterwards, to check a refused operation changed nothing. */
async function ownerView(
  fixture: Fixture,
): Promise<{ exists: boolean; revisionIds?: number[]; currentRevisionId?: number; bystanderGrant?: string; publicAccess?: boolean }> {
  const response = await asOwner(`${API}/${fixture.fileId}/details?expand=revisions`);
  if (response.status === 404) {
    await response.body?.cancel();
    return { exists: false };
  }
  const details = await ok(response, 'owner details');
  const permissions = await ok(await asOwner(`${API}/${fixture.fileId}/permissions`), 'owner permissions');
  const bystander = permissions.entries.find((entry: WireEntry) => entry.entityType === 'USER' && entry.entityId === String(users.bystander.id));
  return {
    exists: true,
    revisionIds: details.revisions.map((revision: { dataFileRevisionId: number }) => revision.dataFileRevisionId).sort((a: number, b: number) => a - b),
    currentRevisionId: details.currentRevision.dataFileRevisionId,
    bystanderGrant: bystander?.grant,
    publicAccess: permissions.publicAccess,
  };
}

// ---------------------------------------------------------------------------------------------
// The operations: the request, and (for mutating ones) what must have changed when allowed.

interface Operation {
  name: OperationName;
  mutates: boolean;
  /** The bystander's grant in this operation's fixture. */
  bystanderGrant?: Grant;
  request(token: string | undefined, fixture: Fixture): Promise<Response>;
  /** Checks the body of an allowed answer. */
  checkBody?(body: string, fixture: Fixture, cell: string): void;
  /** Checks the owner's view after an allowed operation (refused ones must leave it unchanged). */
  checkEffect?(after: Awaited<ReturnType<typeof ownerView>>, fixture: Fixture, cell: string): void;
}

function entriesWithBystander(fixture: Fixture, grant: Grant): WireEntry[] {
  return fixture.entries.map((entry) => (entry.entityType === 'USER' && entry.entityId === String(users.bystander.id) ? { ...entry, grant } : entry));
}

const OPERATIONS: Operation[] = [
  {
    name: 'details',
    mutates: false,
    request: (token, f) => api(server, token, `${API}/${f.fileId}/details`),
    checkBody: (body, f, cell) => assert.equal(JSON.parse(body).dataFileId, f.fileId, `${cell}: details of the wrong file`),
  },
  {
    name: 'list',
    mutates: false,
    request: (token) => api(server, token, `${API}/details`),
  },
  {
    name: 'download',
    mutates: false,
    request: (token, f) => api(server, token, `${API}/${f.fileId}`),
    checkBody: (body, _f, cell) => assert.equal(body, SECOND, `${cell}: download is not the current revision`),
  },
  {
    name: 'download Range',
    mutates: false,
    request: (token, f) => api(server, token, `${API}/${f.fileId}`, { headers: { range: 'bytes=0-5' } }),
    checkBody: (body, _f, cell) => assert.equal(body, SECOND.slice(0, 6), `${cell}: wrong range`),
  },
  {
    name: 'download If-None-Match',
    mutates: false,
    request: (token, f) => api(server, token, `${API}/${f.fileId}`, { headers: { 'if-none-match': `"${sha256(SECOND)}"` } }),
  },
  {
    name: 'download revision',
    mutates: false,
    request: (token, f) => api(server, token, `${API}/${f.fileId}/revisions/${f.firstRevisionId}`),
    checkBody: (body, _f, cell) => assert.equal(body, FIRST, `${cell}: not the first revision's bytes`),
  },
  {
    name: 'HEAD download',
    mutates: false,
    request: (token, f) => api(server, token, `${API}/${f.fileId}`, { method: 'HEAD' }),
  },
  {
    name: 'upload revision',
    mutates: true,
    request: (token, f) => api(server, token, `${API}/${f.fileId}`, { method: 'PUT', body: fileForm('third revision\n', 'matrix.txt', 'text/plain') }),
    checkEffect: (view, f, cell) => {
      assert.equal(view.revisionIds?.length, 3, `${cell}: the new revision is not listed`);
      assert.ok(view.currentRevisionId! > f.secondRevisionId, `${cell}: the new revision is not current`);
    },
  },
  {
    name: 'delete revision',
    mutates: true,
    request: (token, f) => api(server, token, `${API}/${f.fileId}/revisions/${f.firstRevisionId}`, { method: 'DELETE' }),
    checkEffect: (view, f, cell) => assert.deepEqual(view.revisionIds, [f.secondRevisionId], `${cell}: the revision is still there`),
  },
  {
    name: 'delete file',
    mutates: true,
    request: (token, f) => api(server, token, `${API}/${f.fileId}`, { method: 'DELETE' }),
    checkEffect: (view, _f, cell) => assert.equal(view.exists, false, `${cell}: the file still exists`),
  },
  {
    name: 'get permissions',
    mutates: false,
    request: (token, f) => api(server, token, `${API}/${f.fileId}/permissions`),
    checkBody: (body, f, cell) => {
      const permissions = JSON.parse(body);
      assert.equal(permissions.publicAccess, f.publicAccess, `${cell}: publicAccess`);
      const owner = permissions.entries.find((entry: WireEntry) => entry.entityType === 'USER' && entry.entityId === String(users.owner.id));
      assert.equal(owner?.grant, ADMIN, `${cell}: the owner's ADMIN entry is missing`);
    },
  },
  {
    // "a no-op-ish valid update": the same public flag and entries.
    name: 'update permissions',
    mutates: true,
    request: (token, f) => putPermissions(token, f.fileId, { publicAccess: f.publicAccess, entries: f.entries }),
    checkEffect: (view, f, cell) => assert.equal(view.bystanderGrant, 'READ', `${cell}: entries changed`),
  },
  {
    name: 'grant ADMIN',
    mutates: true,
    bystanderGrant: 'READ',
    request: (token, f) => putPermissions(token, f.fileId, { publicAccess: f.publicAccess, entries: entriesWithBystander(f, ADMIN) }),
    checkEffect: (view, _f, cell) => assert.equal(view.bystanderGrant, ADMIN, `${cell}: ADMIN was not granted`),
  },
  {
    name: 'revoke ADMIN',
    mutates: true,
    bystanderGrant: ADMIN,
    request: (token, f) => putPermissions(token, f.fileId, { publicAccess: f.publicAccess, entries: entriesWithBystander(f, 'READ') }),
    checkEffect: (view, _f, cell) => assert.equal(view.bystanderGrant, 'READ', `${cell}: ADMIN was not revoked`),
  },
];

assert.deepEqual(new Set(OPERATIONS.map((operation) => operation.name)), new Set(Object.keys(NEEDS)), 'every operation has a rule');

// Read-only operations share one file per caller (created on first use).
const sharedFixtures = new Map<string, Promise<Fixture>>();
function sharedFixture(caller: CallerKind): Promise<Fixture> {
  let fixture = sharedFixtures.get(caller.name);
  if (!fixture) {
    fixture = createFixture(caller, { bystanderGrant: 'READ' });
    sharedFixtures.set(caller.name, fixture);
  }
  return fixture;
}

async function runCell(operation: Operation, caller: CallerKind): Promise<void> {
  const cell = `[${operation.name} × ${caller.name}]`;
  const fixture = operation.mutates ? await createFixture(caller, { bystanderGrant: operation.bystanderGrant ?? 'READ' }) : await sharedFixture(caller);
  const initial = operation.mutates ? await ownerView(fixture) : undefined;
  const expected = expectedOutcome(operation.name, caller.held);

  const response = await operation.request(tokenOf(caller), fixture);
  const body = await response.text();
  assert.equal(response.status, expected.status, `${cell} → ${response.status}, expected ${expected.status}: ${body.slice(0, 300)}`);

  if (response.status >= 400 && operation.name !== 'HEAD download') {
    // docs/decisions.md 4: every refusal is Domo's error shape, its toe the request id.
    const error = JSON.parse(body);
    assert.equal(error.status, response.status, `${cell}: error body status`);
    assert.equal(error.toe, response.headers.get('x-request-id'), `${cell}: toe is not the request id`);
  } else if (operation.checkBody && response.status !== 304) {
    operation.checkBody(body, fixture, cell);
  }
  if (expected.listed !== undefined) {
    const listed = (JSON.parse(body) as { dataFileId: number }[]).some((file) => file.dataFileId === fixture.fileId);
    assert.equal(listed, expected.listed, `${cell}: file ${fixture.fileId} ${expected.listed ? 'missing from' : 'wrongly in'} the list`);
  }
  if (operation.mutates) {
    const afterView = await ownerView(fixture);
    if (response.status >= 400) assert.deepEqual(afterView, initial, `${cell}: a refused operation changed the file`);
    else operation.checkEffect?.(afterView, fixture, cell);
  }
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  server = await startTestServer();
  // A handful of principals, once (each is a run of the admin CLI).
  const names: (Identity | 'bystander')[] = ['owner', 'grantee', 'member', 'outsider', 'instanceAdmin', 'bystander'];
  const [group, ...created] = await Promise.all([
    server.addGroup('matrix-group'),
    ...names.map((name) => server.addUser(`matrix-${name}`, { admin: name === 'instanceAdmin' })),
  ]);
  names.forEach((name, index) => (users[name] = created[index] as TestUser));
  groupId = group.id;
  await server.addGroupMember(groupId, users.member.id);
});

after(async () => {
  await server?.cleanup();
});

describe(`permission matrix: ${OPERATIONS.length} operations × ${CALLERS.length} callers`, { concurrency: 8 }, () => {
  for (const operation of OPERATIONS) {
    for (const caller of CALLERS) {
      const { status, listed } = expectedOutcome(operation.name, caller.held);
      it(`${operation.name} × ${caller.name} → ${status}${listed === undefined ? '' : listed ? ' (listed)' : ' (not listed)'}`, () =>
        runCell(operation, caller));
    }
  }
});

describe("the owner's ADMIN entry and entries naming nobody", () => {
  async function permissionsOf(fileId: number) {
    return ok(await asOwner(`${API}/${fileId}/permissions`), 'permissions');
  }
  const ownerEntry = (grant: Grant): WireEntry => ({ entityType: 'USER', entityId: String(users.owner.id), grant, pass: 'NONE' });

  async function expectRefused(response: Response, status: number, what: string) {
    const body = await response.text();
    assert.equal(response.status, status, `${what} → ${response.status}: ${body}`);
    assert.equal(JSON.parse(body).toe, response.headers.get('x-request-id'), `${what}: toe`);
  }

  for (const [who, identity] of [
    ['the owner', 'owner'],
    ['an ADMIN entry holder', 'grantee'],
    ['an instance admin', 'instanceAdmin'],
  ] as const) {
    it(`${who} cannot lower the owner's entry to any lesser grant (400)`, async () => {
      const fixture = await createFixture(
        { name: `owner entry vs ${who}`, identity: 'grantee', entry: { entityType: 'USER', grant: ADMIN }, held: ADMIN },
        { bystanderGrant: 'READ' },
      );
      const initial = await permissionsOf(fixture.fileId);
      for (const grant of LADDER.slice(0, -1)) {
        await expectRefused(
          await putPermissions(users[identity].token, fixture.fileId, { entries: [...fixture.entries, ownerEntry(grant)] }),
          400,
          `${who} lowers the owner to ${grant}`,
        );
      }
      assert.deepEqual(await permissionsOf(fixture.fileId), initial);
    });
  }

  it("leaving the owner's entry out of an update keeps it (it cannot be removed)", async () => {
    const fixture = await createFixture(
      { name: 'owner entry omitted', identity: 'grantee', entry: { entityType: 'USER', grant: ADMIN }, held: ADMIN },
      { bystanderGrant: 'READ' },
    );
    for (const token of [users.owner.token, users.grantee.token, users.instanceAdmin.token]) {
      await ok(await putPermissions(token, fixture.fileId, { publicAccess: false, entries: fixture.entries }), 'update without the owner');
      const permissions = await permissionsOf(fixture.fileId);
      assert.deepEqual(
        permissions.entries
          .filter((entry: WireEntry) => entry.entityType === 'USER' && entry.entityId === String(users.owner.id))
          .map((entry: WireEntry) => entry.grant),
        [ADMIN],
      );
    }
    await ok(await putPermissions(users.owner.token, fixture.fileId, { entries: [] }), 'clear every entry');
    assert.deepEqual((await permissionsOf(fixture.fileId)).entries, [ownerEntry(ADMIN)]);
    // And the owner still does everything.
    await ok(await asOwner(`${API}/${fixture.fileId}/details`), 'owner still reads');
  });

  it('an entry for a user or group id that does not exist is 400 and changes nothing', async () => {
    const fixture = await createFixture({ name: 'entries naming nobody', identity: 'owner', held: ADMIN }, { bystanderGrant: 'READ' });
    const initial = await permissionsOf(fixture.fileId);
    const nobody = 987_654_321;
    for (const entry of [
      { entityType: 'USER', entityId: String(nobody), grant: 'READ', pass: 'NONE' },
      { entityType: 'USER', entityId: nobody, grant: 'READ' },
      { entityType: 'GROUP', entityId: String(nobody), grant: 'READ_WRITE', pass: 'NONE' },
    ]) {
      await expectRefused(
        await putPermissions(users.owner.token, fixture.fileId, { publicAccess: true, entries: [...fixture.entries, entry] }),
        400,
        `entry ${JSON.stringify(entry)}`,
      );
    }
    assert.deepEqual(await permissionsOf(fixture.fileId), initial);
  });
});
