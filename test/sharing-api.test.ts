// What the web interface's file page and sharing dialog ask of the datafiles API, through
// @datafiles/sdk against the real server: the caller's own grant on a file (docs/decisions.md
// 127), groups' names by id (123), the metadata update without bytes (81) and the files shared
// with the caller (180).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSharingClient, isDatafilesError, updateFileMetadata } from '@datafiles/sdk';
import { api, startTestServer, type TestServer, type TestUser } from './support/server.js';
import { clientOf, uploadAs } from './support/uiFiles.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let admin: TestUser;
let team: { id: number; name: string };

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
  carol = await server.addUser('carol');
  admin = await server.addUser('root', { admin: true });
  team = await server.addGroup('team');
  await server.addGroupMember('team', 'carol');
});
after(() => server?.cleanup());

const sharing = (user: TestUser) => createSharingClient({ baseUrl: server.url, token: user.token });

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    assert.ok(isDatafilesError(error), String(error));
    return error.status;
  }
}

describe('the sharing calls of the datafiles API', () => {
  it("answers the caller's own grant: owner, entry, group, public, admin; 404 for a stranger", async () => {
    const id = await uploadAs(server, alice, 'x', 'grant.txt');
    assert.equal(await sharing(alice).myGrant(id), 'READ_WRITE_DELETE_SHARE_ADMIN');
    assert.equal(await sharing(admin).myGrant(id), 'READ_WRITE_DELETE_SHARE_ADMIN');
    assert.equal(await status(sharing(bob).myGrant(id)), 404);
    await clientOf(server, alice).updateFilePermissions(id, {
      entries: [
        { entityType: 'USER', entityId: String(bob.id), grant: 'READ_WRITE_DELETE' },
        { entityType: 'GROUP', entityId: String(team.id), grant: 'READ_WRITE' },
      ],
    });
    assert.equal(await sharing(bob).myGrant(id), 'READ_WRITE_DELETE');
    assert.equal(await sharing(carol).myGrant(id), 'READ_WRITE');
    const other = await uploadAs(server, alice, 'y', 'public.txt');
    await clientOf(server, alice).updateFilePermissions(other, { publicAccess: true });
    assert.equal(await sharing(bob).myGrant(other), 'READ');
    assert.equal(await status(sharing(bob).myGrant(999_999)), 404);
    assert.equal((await api(server, undefined, `/datafiles/v1/me/files/${id}`)).status, 401);
    assert.equal((await api(server, bob.token, '/datafiles/v1/me/files/abc')).status, 400);
  });

  it('lists the files shared with the caller (sharedWithMe=true): by an entry for it or its group, not merely public (docs/decisions.md 180)', async () => {
    const direct = await uploadAs(server, alice, 'd', 'direct.txt');
    const viaGroup = await uploadAs(server, alice, 'g', 'group.txt');
    const open = await uploadAs(server, alice, 'p', 'open.txt');
    const openAndShared = await uploadAs(server, alice, 's', 'open-and-shared.txt');
    const unshared = await uploadAs(server, alice, 'u', 'unshared.txt');
    const carolsOwn = await uploadAs(server, carol, 'c', 'carols.txt');
    const owner = clientOf(server, alice);
    const toCarol = { entityType: 'USER', entityId: String(carol.id), grant: 'READ' } as const;
    await owner.updateFilePermissions(direct, { entries: [toCarol] });
    await owner.updateFilePermissions(viaGroup, { entries: [{ entityType: 'GROUP', entityId: String(team.id), grant: 'READ' }] });
    await owner.updateFilePermissions(open, { publicAccess: true });
    await owner.updateFilePermissions(openAndShared, { publicAccess: true, entries: [toCarol] });
    const mine = new Set([direct, viaGroup, open, openAndShared, unshared, carolsOwn]);
    const ids = (files: { dataFileId: number }[]) => files.map((file) => file.dataFileId).filter((id) => mine.has(id));

    const everything = await clientOf(server, carol).getFileDetailsList();
    assert.deepEqual(ids(everything), [direct, viaGroup, open, openAndShared, carolsOwn], 'readable: shared, public and her own');
    const shared = await clientOf(server, carol).getFileDetailsList({ sharedWithMe: true, expand: ['metadata'] });
    assert.deepEqual(ids(shared), [direct, viaGroup, openAndShared]);
    assert.deepEqual(ids(await clientOf(server, carol).getFileDetailsList({ sharedWithMe: true, limit: 1, after: direct })), [viaGroup]);
    assert.deepEqual(ids(await clientOf(server, carol).getFileDetailsList({ sharedWithMe: true, limitToOwned: true })), []);
    assert.deepEqual(ids(await clientOf(server, alice).getFileDetailsList({ sharedWithMe: true })), [], "the owner's own files are not shared with her");
    const raw = await api(server, carol.token, `/domo/data-files/v1/details?sharedWithMe=false`);
    assert.deepEqual(ids((await raw.json()) as { dataFileId: number }[]), [direct, viaGroup, open, openAndShared, carolsOwn]);
    assert.equal((await api(server, carol.token, `/domo/data-files/v1/details?sharedWithMe=maybe`)).status, 400);
  });

  it('names groups by id, leaving unknown ids out, at most 100 at a time', async () => {
    assert.deepEqual(await sharing(bob).groupNames([team.id, 424_242]), [{ id: team.id, name: 'team' }]);
    assert.deepEqual(await sharing(bob).groupNames([]), []);
    const tooMany = Array.from({ length: 101 }, (_, index) => index + 1).join(',');
    assert.equal((await api(server, bob.token, `/datafiles/v1/groups/names?ids=${tooMany}`)).status, 400);
    assert.equal((await api(server, undefined, `/datafiles/v1/groups/names?ids=${team.id}`)).status, 401);
    const found = await sharing(bob).lookupPrincipals('te');
    assert.deepEqual(found, [{ type: 'GROUP', id: team.id, name: 'team' }]);
  });

  it('changes the description without bytes, and needs READ_WRITE for it', async () => {
    const id = await uploadAs(server, alice, 'z', 'described.txt', 'before');
    const options = (user: TestUser) => ({ baseUrl: server.url, token: user.token });
    const details = await updateFileMetadata(options(alice), id, { description: 'after' });
    assert.equal(details.description, 'after');
    assert.equal((await clientOf(server, alice).getFileDetails(id, { expand: ['revisions'] })).revisions.length, 1, 'no revision was added');
    await clientOf(server, alice).updateFilePermissions(id, { entries: [{ entityType: 'USER', entityId: String(bob.id), grant: 'READ' }] });
    assert.equal(await status(updateFileMetadata(options(bob), id, { description: 'mine now' })), 403);
    await assert.rejects(updateFileMetadata(options(alice), id, {}), TypeError);
  });
});
