// The permission matrix (test/permission-matrix.test.ts) for the operations issue 13 adds: revision
// details (P5, P6), copy (P8: READ on the source, READ_WRITE on the target), duplicate (P9: READ)
// and the metadata update (docs/decisions.md 81: description READ_WRITE, public
// READ_WRITE_DELETE_SHARE). Every operation × every kind of caller; the expected status is computed
// by docs/decisions.md 17's rule: no identity → 401; cannot read → 404; reads but lacks the grant →
// 403; else the operation's success. Cells alternate between the two surfaces (same routes).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';

const LADDER = ['READ', 'READ_WRITE', 'READ_WRITE_DELETE', 'READ_WRITE_DELETE_SHARE', 'READ_WRITE_DELETE_SHARE_ADMIN'] as const;
type Grant = (typeof LADDER)[number];
const ADMIN: Grant = 'READ_WRITE_DELETE_SHARE_ADMIN';
const rank = (grant: Grant) => LADDER.indexOf(grant);
type Held = Grant | 'nothing' | 'unauthenticated';
const PREFIXES = ['/api/data/v1/data-files', '/domo/data-files/v1'];

type OperationName =
  'revision details' | 'revision details -1' | 'all revision details' | 'duplicate' | 'copy from' | 'copy onto' | 'update description' | 'update public';

const NEEDS: Record<OperationName, Grant> = {
  'revision details': 'READ',
  'revision details -1': 'READ',
  'all revision details': 'READ',
  duplicate: 'READ',
  'copy from': 'READ',
  'copy onto': 'READ_WRITE',
  'update description': 'READ_WRITE',
  'update public': 'READ_WRITE_DELETE_SHARE',
};

function expectedStatus(operation: OperationName, held: Held): number {
  if (held === 'unauthenticated') return 401;
  if (held === 'nothing') return 404;
  return rank(held) < rank(NEEDS[operation]) ? 403 : 200;
}

type Identity = 'owner' | 'grantee' | 'member' | 'outsider' | 'instanceAdmin';
interface CallerKind {
  name: string;
  identity: Identity | 'none' | 'bad';
  entry?: { entityType: 'USER' | 'GROUP'; grant: Grant };
  publicFile?: boolean;
  held: Held;
}

const CALLERS: CallerKind[] = [
  { name: 'owner', identity: 'owner', held: ADMIN },
  ...LADDER.map((grant): CallerKind => ({ name: `USER entry ${grant}`, identity: 'grantee', entry: { entityType: 'USER', grant }, held: grant })),
  ...LADDER.map((grant): CallerKind => ({ name: `GROUP entry ${grant}`, identity: 'member', entry: { entityType: 'GROUP', grant }, held: grant })),
  { name: 'public file, no entry', identity: 'outsider', publicFile: true, held: 'READ' },
  { name: 'stranger', identity: 'outsider', held: 'nothing' },
  { name: 'instance admin (not owner)', identity: 'instanceAdmin', held: ADMIN },
  { name: 'no token', identity: 'none', held: 'unauthenticated' },
  { name: 'bad token', identity: 'bad', held: 'unauthenticated' },
];

let server: TestServer;
const users = {} as Record<Identity, TestUser>;
let groupId: number;

before(async () => {
  server = await startTestServer();
  for (const name of ['owner', 'grantee', 'member', 'outsider'] as const) users[name] = await server.addUser(name);
  users.instanceAdmin = await server.addUser('instanceAdmin', { admin: true });
  groupId = (await server.addGroup('matrix-group')).id;
  await server.addGroupMember(groupId, users.member.id);
});
after(() => server?.cleanup());

function send(token: string | undefined, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('X-DOMO-Developer-Token', token);
  return fetch(`${server.url}${path}`, { ...init, headers });
}

async function ok(response: Response): Promise<any> {
  const text = await response.text();
  assert.equal(response.status, 200, text.slice(0, 300));
  return JSON.parse(text);
}

/** A file `user` owns (private), with two revisions; returns its id and revision ids. */
async function fileOwnedBy(user: TestUser, prefix: string) {
  const { dataFileId } = await ok(await send(user.token, `${prefix}?name=cell.txt&public=false`, { method: 'POST', body: fileForm('first') }));
  const { revisionId } = await ok(await send(user.token, `${prefix}/${dataFileId}`, { method: 'PUT', body: fileForm('second') }));
  return { id: dataFileId as number, revisionId: revisionId as number };
}

/** The owner's file, with the caller's entry and public flag as the cell says. */
async function fixtureFor(caller: CallerKind, prefix: string) {
  const file = await fileOwnedBy(users.owner, prefix);
  const entries = caller.entry
    ? [
        {
          entityType: caller.entry.entityType,
          entityId: String(caller.entry.entityType === 'GROUP' ? groupId : users[caller.identity as Identity].id),
          grant: caller.entry.grant,
          pass: 'NONE',
        },
      ]
    : [];
  await ok(
    await send(users.owner.token, `${prefix}/${file.id}/permissions`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ publicAccess: caller.publicFile === true, entries }),
    }),
  );
  return file;
}

function tokenOf(caller: CallerKind): string | undefined {
  if (caller.identity === 'none') return undefined;
  if (caller.identity === 'bad') return randomBytes(32).toString('base64url');
  return users[caller.identity].token;
}

/** The caller's own file (the other side of a copy); callers with no identity borrow the outsider's. */
async function callersOwnFile(caller: CallerKind, prefix: string) {
  const identity = caller.identity === 'none' || caller.identity === 'bad' ? 'outsider' : caller.identity;
  return fileOwnedBy(users[identity], prefix);
}

const OPERATIONS: Record<OperationName, (caller: CallerKind, prefix: string) => Promise<{ response: Response; check?: (body: any) => Promise<void> }>> = {
  'revision details': async (caller, prefix) => {
    const file = await fixtureFor(caller, prefix);
    return {
      response: await send(tokenOf(caller), `${prefix}/${file.id}/revisions/${file.revisionId}/details`),
      check: async (body) => assert.equal(body.dataFileRevisionId, file.revisionId),
    };
  },
  'revision details -1': async (caller, prefix) => {
    const file = await fixtureFor(caller, prefix);
    return {
      response: await send(tokenOf(caller), `${prefix}/${file.id}/revisions/-1/details`),
      check: async (body) => assert.equal(body.dataFileRevisionId, file.revisionId),
    };
  },
  'all revision details': async (caller, prefix) => {
    const file = await fixtureFor(caller, prefix);
    return { response: await send(tokenOf(caller), `${prefix}/${file.id}/revisions/details`), check: async (body) => assert.equal(body.length, 2) };
  },
  duplicate: async (caller, prefix) => {
    const file = await fixtureFor(caller, prefix);
    return {
      response: await send(tokenOf(caller), `${prefix}/${file.id}/duplicate`, { method: 'POST' }),
      check: async (body) => assert.equal(body.responsibleUserId, users[caller.identity as Identity].id),
    };
  },
  'copy from': async (caller, prefix) => {
    const source = await fixtureFor(caller, prefix);
    const target = await callersOwnFile(caller, prefix);
    return {
      response: await send(tokenOf(caller), `${prefix}/copy/${source.id}/revisions/current/${target.id}`, { method: 'POST' }),
      check: async (body) => {
        const download = await send(tokenOf(caller), `${prefix}/${target.id}/revisions/${body.revisionId}`);
        assert.equal(await download.text(), 'second', "the source's current bytes");
      },
    };
  },
  'copy onto': async (caller, prefix) => {
    const target = await fixtureFor(caller, prefix);
    const source = await callersOwnFile(caller, prefix);
    return {
      response: await send(tokenOf(caller), `${prefix}/copy/${source.id}/revisions/current/${target.id}`, { method: 'POST' }),
      check: async (body) =>
        assert.equal((await ok(await send(users.owner.token, `${prefix}/${target.id}/details`))).currentRevision.dataFileRevisionId, body.revisionId),
    };
  },
  'update description': async (caller, prefix) => {
    const file = await fixtureFor(caller, prefix);
    return {
      response: await send(tokenOf(caller), `${prefix}/${file.id}?description=changed`, { method: 'PUT' }),
      check: async (body) => assert.equal(body.description, 'changed'),
    };
  },
  'update public': async (caller, prefix) => {
    const file = await fixtureFor(caller, prefix);
    return {
      response: await send(tokenOf(caller), `${prefix}/${file.id}?public=true`, { method: 'PUT' }),
      check: async (body) => assert.equal(body.publicAccess, true),
    };
  },
};

describe('permission matrix: revision details, copy, duplicate, metadata update', () => {
  let cell = 0;
  for (const [operation, run] of Object.entries(OPERATIONS) as Array<[OperationName, (typeof OPERATIONS)[OperationName]]>) {
    describe(operation, () => {
      for (const caller of CALLERS) {
        const expected = expectedStatus(operation, caller.held);
        const prefix = PREFIXES[cell++ % PREFIXES.length];
        it(`${caller.name} → ${expected} (${prefix})`, async () => {
          const { response, check } = await run(caller, prefix);
          const text = await response.text();
          assert.equal(response.status, expected, text.slice(0, 300));
          const body = JSON.parse(text);
          if (expected === 200) await check?.(body);
          else assert.equal(body.status, expected, 'Domo-shaped error');
        });
      }
    });
  }
});
