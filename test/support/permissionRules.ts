// The rule tables of test/permission-matrix.test.ts: what each kind of caller holds on a file and
// what each operation needs, from which the expected status of every cell is computed.
// ---------------------------------------------------------------------------------------------
// The rule tables.

export const LADDER = ['READ', 'READ_WRITE', 'READ_WRITE_DELETE', 'READ_WRITE_DELETE_SHARE', 'READ_WRITE_DELETE_SHARE_ADMIN'] as const;
export type Grant = (typeof LADDER)[number];
export const ADMIN: Grant = 'READ_WRITE_DELETE_SHARE_ADMIN';
const SHORT: Record<Grant, string> = {
  READ: 'R',
  READ_WRITE: 'RW',
  READ_WRITE_DELETE: 'RWD',
  READ_WRITE_DELETE_SHARE: 'RWDS',
  READ_WRITE_DELETE_SHARE_ADMIN: 'RWDSA',
};
const rank = (grant: Grant) => LADDER.indexOf(grant);

/** What a caller holds on the cell's file: a grant, nothing (cannot read), or no identity at all. */
export type Held = Grant | 'nothing' | 'unauthenticated';

export type OperationName =
  | 'details'
  | 'list'
  | 'download'
  | 'download Range'
  | 'download If-None-Match'
  | 'download revision'
  | 'HEAD download'
  | 'upload revision'
  | 'delete revision'
  | 'delete file'
  | 'get permissions'
  | 'update permissions'
  | 'grant ADMIN'
  | 'revoke ADMIN';

/** docs/decisions.md 17, one line per operation: the grant it needs and its success status. */
export const NEEDS: Record<OperationName, { grant: Grant; ok: number }> = {
  details: { grant: 'READ', ok: 200 },
  list: { grant: 'READ', ok: 200 },
  download: { grant: 'READ', ok: 200 },
  'download Range': { grant: 'READ', ok: 206 },
  'download If-None-Match': { grant: 'READ', ok: 304 },
  'download revision': { grant: 'READ', ok: 200 },
  'HEAD download': { grant: 'READ', ok: 200 },
  'upload revision': { grant: 'READ_WRITE', ok: 200 },
  'delete revision': { grant: 'READ_WRITE_DELETE', ok: 200 },
  'delete file': { grant: 'READ_WRITE_DELETE', ok: 200 },
  'get permissions': { grant: 'READ_WRITE_DELETE_SHARE', ok: 200 },
  'update permissions': { grant: 'READ_WRITE_DELETE_SHARE', ok: 200 },
  'grant ADMIN': { grant: ADMIN, ok: 200 },
  'revoke ADMIN': { grant: ADMIN, ok: 200 },
};

/**
 * docs/decisions.md 17: no identity → 401; cannot read → 404; reads but lacks the grant → 403; else
 * the operation's success status. The list never refuses: it answers 200 and leaves out what the
 * caller may not read.
 */
export function expectedOutcome(operation: OperationName, held: Held): { status: number; listed?: boolean } {
  if (held === 'unauthenticated') return { status: 401 };
  const readable = held !== 'nothing';
  if (operation === 'list') return { status: 200, listed: readable };
  if (!readable) return { status: 404 };
  if (rank(held) < rank(NEEDS[operation].grant)) return { status: 403 };
  return { status: NEEDS[operation].ok };
}

// ---------------------------------------------------------------------------------------------
// The callers. Grants live on each cell's file, so one user serves every USER-entry level and one
// group member every GROUP-entry level.

export type Identity = 'owner' | 'grantee' | 'member' | 'outsider' | 'instanceAdmin';

export interface CallerKind {
  name: string;
  /** Whose token is sent; `none` sends no token, `bad` an unknown one. */
  identity: Identity | 'none' | 'bad';
  /** The entry the fixture gives this caller. */
  entry?: { entityType: 'USER' | 'GROUP'; grant: Grant };
  publicFile?: boolean;
  /** docs/decisions.md 16/19: what this caller holds on its fixture file. */
  held: Held;
}

export const CALLERS: CallerKind[] = [
  { name: 'owner', identity: 'owner', held: ADMIN },
  ...LADDER.map((grant): CallerKind => ({ name: `USER entry ${SHORT[grant]}`, identity: 'grantee', entry: { entityType: 'USER', grant }, held: grant })),
  ...LADDER.map((grant): CallerKind => ({ name: `GROUP entry ${SHORT[grant]}`, identity: 'member', entry: { entityType: 'GROUP', grant }, held: grant })),
  { name: 'public file, no entry', identity: 'outsider', publicFile: true, held: 'READ' },
  { name: 'stranger', identity: 'outsider', held: 'nothing' },
  { name: 'instance admin (not owner)', identity: 'instanceAdmin', held: ADMIN },
  { name: 'no token', identity: 'none', held: 'unauthenticated' },
  { name: 'bad token', identity: 'bad', held: 'unauthenticated' },
];
