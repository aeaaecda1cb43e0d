// Token scope × operation, through the real server (issue 12; docs/decisions.md 61): `read`
// lists, reads details and downloads; `write` also uploads, adds and deletes revisions, runs
// multipart sessions, deletes files and changes permissions; `admin` also reaches the admin API.
// A token never exceeds its owner: a non-admin's tokens never reach the admin API, and an admin's
// read or write token carries no instance-admin rights over other people's files.
//
// The expected status of a cell is computed from two tables (the scope each operation needs; what
// each token holds), never written by hand. Every cell runs on a fresh file its owner uploads with
// its full token, so that mutating cells cannot disturb one another.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API, api, fileForm, startTestServer, type TestServer } from './support/server.js';

const SCOPES = ['read', 'write', 'admin'] as const;
type Scope = (typeof SCOPES)[number];
const rank = (scope: Scope) => SCOPES.indexOf(scope);
const ACCESS = '/datafiles/v1';

interface Cell {
  fileId: number;
  revisionId: number;
  firstRevisionId: number;
}

interface Operation {
  name: string;
  scope: Scope;
  /** Needs the instance admin (the admin API, or another user's file). */
  instanceAdmin?: boolean;
  /** Acts on a file another user owns (then only an instance admin's admin token may). */
  othersFile?: boolean;
  ok: number;
  request(token: string, cell: Cell): Promise<Response>;
}

let server: TestServer;
/** Tokens by holder: an admin user (root) and a plain user (ann), one per scope each may have. */
const tokens: Record<string, string> = {};
const full: Record<'root' | 'ann', string> = { root: '', ann: '' };

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const OPERATIONS: Operation[] = [
  { name: 'list', scope: 'read', ok: 200, request: (token) => api(server, token, `${API}/details`) },
  { name: 'details', scope: 'read', ok: 200, request: (token, cell) => api(server, token, `${API}/${cell.fileId}/details`) },
  { name: 'download', scope: 'read', ok: 200, request: (token, cell) => api(server, token, `${API}/${cell.fileId}`) },
  { name: 'HEAD download', scope: 'read', ok: 200, request: (token, cell) => api(server, token, `${API}/${cell.fileId}`, { method: 'HEAD' }) },
  { name: 'get permissions', scope: 'read', ok: 200, request: (token, cell) => api(server, token, `${API}/${cell.fileId}/permissions`) },
  { name: 'upload file', scope: 'write', ok: 200, request: (token) => api(server, token, `${API}?name=new.txt`, { method: 'POST', body: fileForm('new\n') }) },
  {
    name: 'upload revision',
    scope: 'write',
    ok: 200,
    request: (token, cell) => api(server, token, `${API}/${cell.fileId}`, { method: 'PUT', body: fileForm('again\n') }),
  },
  {
    name: 'delete revision',
    scope: 'write',
    ok: 200,
    request: (token, cell) => api(server, token, `${API}/${cell.fileId}/revisions/${cell.firstRevisionId}`, { method: 'DELETE' }),
  },
  { name: 'delete file', scope: 'write', ok: 200, request: (token, cell) => api(server, token, `${API}/${cell.fileId}`, { method: 'DELETE' }) },
  {
    name: 'update permissions',
    scope: 'write',
    ok: 200,
    request: (token, cell) => api(server, token, `${API}/${cell.fileId}/permissions`, json('PUT', { publicAccess: true, entries: [] })),
  },
  {
    name: 'create session',
    scope: 'write',
    ok: 200,
    request: (token) => api(server, token, `${API}/multipart`, json('POST', { name: 'big.bin', contentType: 'application/octet-stream' })),
  },
  {
    name: "delete another user's file",
    scope: 'write',
    othersFile: true,
    ok: 200,
    request: (token, cell) => api(server, token, `${API}/${cell.fileId}`, { method: 'DELETE' }),
  },
  { name: 'who am I', scope: 'read', ok: 200, request: (token) => api(server, token, `${ACCESS}/me`) },
  { name: 'look up principals', scope: 'read', ok: 200, request: (token) => api(server, token, `${ACCESS}/principals?prefix=a`) },
  { name: 'admin: list users', scope: 'admin', instanceAdmin: true, ok: 200, request: (token) => api(server, token, `${ACCESS}/admin/users`) },
  {
    name: 'admin: create group',
    scope: 'admin',
    instanceAdmin: true,
    ok: 201,
    request: (token) => api(server, token, `${ACCESS}/admin/groups`, json('POST', { name: `g-${Math.random().toString(36).slice(2)}` })),
  },
  { name: 'admin: list tokens', scope: 'admin', instanceAdmin: true, ok: 200, request: (token) => api(server, token, `${ACCESS}/admin/tokens`) },
];

const HOLDERS: Array<{ name: string; user: 'root' | 'ann'; scope: Scope }> = [
  ...SCOPES.map((scope) => ({ name: `root (admin) ${scope} token`, user: 'root' as const, scope })),
  ...(['read', 'write'] as const).map((scope) => ({ name: `ann ${scope} token`, user: 'ann' as const, scope })),
];

/** No scope → 403; the admin API or another's file without instance-admin rights → 403 / 404; else ok. */
function expected(operation: Operation, holder: (typeof HOLDERS)[number]): number {
  if (rank(holder.scope) < rank(operation.scope)) return 403;
  const instanceAdmin = holder.user === 'root' && holder.scope === 'admin';
  if (operation.othersFile) return instanceAdmin ? operation.ok : 404;
  if (operation.instanceAdmin && !instanceAdmin) return 403;
  return operation.ok;
}

async function body(response: Response): Promise<any> {
  const text = await response.text();
  return text === '' ? undefined : JSON.parse(text);
}

async function newCell(owner: 'root' | 'ann'): Promise<Cell> {
  const upload = await api(server, full[owner], `${API}?name=cell.txt`, { method: 'POST', body: fileForm('first\n') });
  assert.equal(upload.status, 200);
  const { dataFileId } = await body(upload);
  const first = (await body(await api(server, full[owner], `${API}/${dataFileId}/details`))).currentRevision.dataFileRevisionId;
  const revision = await body(await api(server, full[owner], `${API}/${dataFileId}`, { method: 'PUT', body: fileForm('second\n') }));
  return { fileId: dataFileId, firstRevisionId: first, revisionId: revision.revisionId };
}

before(async () => {
  server = await startTestServer();
  const root = await server.addUser('root', { admin: true });
  const ann = await server.addUser('ann');
  full.root = root.token;
  full.ann = ann.token;
  for (const holder of HOLDERS) {
    const created = await api(
      server,
      server.adminToken,
      `${ACCESS}/admin/users/${holder.user}/tokens`,
      json('POST', { scope: holder.scope, label: holder.name }),
    );
    assert.equal(created.status, 201, await created.clone().text());
    const record = await body(created);
    assert.equal(record.scope, holder.scope);
    tokens[holder.name] = record.token;
  }
});

after(() => server?.cleanup());

describe('token scope × operation (docs/decisions.md 61)', () => {
  for (const operation of OPERATIONS) {
    for (const holder of HOLDERS) {
      const want = expected(operation, holder);
      it(`${operation.name} with ${holder.name} → ${want}`, async () => {
        const owner = operation.othersFile ? (holder.user === 'root' ? 'ann' : 'root') : holder.user;
        const cell = await newCell(owner);
        const response = await operation.request(tokens[holder.name], cell);
        const answer = await response.text();
        assert.equal(response.status, want, `${operation.name} with ${holder.name}: ${answer}`);
        if (want === 403 && rank(holder.scope) < rank(operation.scope)) {
          assert.match(JSON.parse(answer).message, new RegExp(`scope ${holder.scope}.*needs scope ${operation.scope}`));
        }
        if (response.status >= 400) {
          // Refused: the file is as its owner left it.
          const details = await api(server, full[owner], `${API}/${cell.fileId}/details?expand=revisions`);
          assert.equal(details.status, 200);
          assert.equal((await body(details)).revisions.length, 2);
        }
      });
    }
  }
});
