// createAdminClient: the admin API under /datafiles/v1/admin (users, groups, tokens, quotas, the
// audit log; README "Administration"), for an instance admin's admin-scope token. The server's
// admin routes declare no answer schemas, so these shapes are written here from its wire functions
// (src/http/access/accessWire.ts, quotaRoutes.ts, auditRoutes.ts); test/sdk-admin.test.ts checks
// them against the real server.
import { createTransport, readJson, type QueryValue, type RequestSpec, type TransportOptions } from './request.js';

/** Where the datafiles API of its own lives (never under Domo's paths). */
export const ACCESS_API_PATH = '/datafiles/v1';

export type TokenScope = 'read' | 'write' | 'admin';
export type TokenState = 'active' | 'revoked' | 'expired';

export interface AdminUser {
  id: number;
  name: string;
  isAdmin: boolean;
  createdAt: number;
  /** When an admin disabled the user; null while enabled. */
  disabledAt: number | null;
}

export interface AdminGroup {
  id: number;
  name: string;
}

export interface AdminGroupSummary extends AdminGroup {
  memberCount: number;
}

/** A token's record; its secret appears only in the answer that creates it. */
export interface TokenRecord {
  id: number;
  userId: number;
  label: string;
  scope: TokenScope;
  createdAt: number;
  /** null: never expires. */
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
  state: TokenState;
}

export interface Usage {
  files: number;
  revisions: number;
  /** Bytes of every revision of the files the user owns. */
  bytes: number;
  /** Bytes staged in the user's open multipart sessions. */
  stagedBytes: number;
}

export interface AdminUserDetails extends AdminUser {
  groups: AdminGroup[];
  usage: Usage;
  tokens: TokenRecord[];
}

export interface AdminGroupDetails extends AdminGroup {
  members: AdminUser[];
}

export interface NewToken {
  label?: string;
  scope?: TokenScope;
  /** A lifetime: 30m, 12h, 90d, 2w, 1y, or never. */
  expires?: string;
}

export interface CreatedUser {
  user: AdminUser;
  /** The first token's secret: shown in this answer only. */
  token: string;
  tokenRecord: TokenRecord;
}

export interface DeletedUser {
  deleted: AdminUser;
  transferTo: AdminUser | null;
  filesTransferred: number;
}

/** A single-use, short-lived sign-in link for the web interface (README "Signing in to the web interface"). */
export interface LoginLink {
  user: AdminUser;
  /** http(s)://HOST/?token=CODE: the code works once, until expiresAt. */
  url: string;
  expiresAt: number;
}

export interface UserQuota {
  userId: number;
  name: string;
  /** The user's own quota in bytes: 0 none, null the instance default. */
  quotaBytes: number | null;
  /** The quota that applies (own or default); null: none. */
  effectiveQuotaBytes: number | null;
  usage: Usage;
}

/** Every kind of audit event the server records (README "Administration", Audit). */
export const AUDIT_KINDS = [
  'token.created',
  'token.revoked',
  'token.expired_use',
  'token.revoked_use',
  'user.created',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'user.quota_set',
  'group.created',
  'group.renamed',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
  'permissions.changed',
  'file.deleted',
  'revision.deleted',
  'auth.failed_burst',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditEvent {
  id: number;
  at: number;
  kind: AuditKind;
  actorId: number | null;
  actorName: string;
  fileId: number | null;
  /** What the event is about: `user:alice`, `token:7`, `group:ops`… */
  subject: string;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  /** The actor's name. */
  actor?: string;
  file?: number;
  kind?: AuditKind;
  /** Inclusive: epoch milliseconds, an ISO 8601 time or a Date. */
  from?: number | string | Date;
  /** Exclusive. */
  to?: number | string | Date;
  /** The next page: only events older than this id (the last id of the previous page). */
  before?: number;
  /** 1 to 1000; the server's default is 100. */
  limit?: number;
}

export interface PageOptions {
  /** Only names starting with this (case-insensitive). */
  q?: string;
  limit?: number;
  offset?: number;
}

/** Every call takes an optional AbortSignal. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** A user or group is named by its id or its name. */
export type Ref = string | number;

export interface AdminClient {
  listUsers(options?: PageOptions & CallOptions): Promise<AdminUser[]>;
  /** The answer carries the user's first token: the only time its secret is shown. */
  createUser(user: { name: string; isAdmin?: boolean; token?: NewToken }, options?: CallOptions): Promise<CreatedUser>;
  getUser(user: Ref, options?: CallOptions): Promise<AdminUserDetails>;
  disableUser(user: Ref, options?: CallOptions): Promise<AdminUser>;
  enableUser(user: Ref, options?: CallOptions): Promise<AdminUser>;
  /** A sign-in link for the user; `expires` (15m, 2h, 1d…) defaults to the server's --sign-in-link-ttl-minutes. */
  createLoginLink(user: Ref, options?: { expires?: string } & CallOptions): Promise<LoginLink>;
  /** `transferTo` is required when the user owns files (409 otherwise): files are never orphaned. */
  deleteUser(user: Ref, options?: { transferTo?: Ref } & CallOptions): Promise<DeletedUser>;

  /** Every user's tokens, or one user's; never their secrets. */
  listTokens(options?: { user?: Ref } & CallOptions): Promise<TokenRecord[]>;
  createToken(user: Ref, token?: NewToken, options?: CallOptions): Promise<TokenRecord & { token: string }>;
  revokeToken(tokenId: number, options?: CallOptions): Promise<TokenRecord>;
  revokeAllTokens(user: Ref, options?: CallOptions): Promise<{ user: AdminUser; revoked: number }>;

  listGroups(options?: PageOptions & CallOptions): Promise<AdminGroupSummary[]>;
  createGroup(name: string, options?: CallOptions): Promise<AdminGroup>;
  getGroup(group: Ref, options?: CallOptions): Promise<AdminGroupDetails>;
  renameGroup(group: Ref, name: string, options?: CallOptions): Promise<AdminGroup>;
  deleteGroup(group: Ref, options?: CallOptions): Promise<AdminGroup>;
  addMember(group: Ref, user: Ref, options?: CallOptions): Promise<{ group: AdminGroup; user: AdminUser }>;
  removeMember(group: Ref, user: Ref, options?: CallOptions): Promise<{ group: AdminGroup; user: AdminUser }>;

  getQuota(user: Ref, options?: CallOptions): Promise<UserQuota>;
  /** Bytes; 0 for no quota; null for the instance default. */
  setQuota(user: Ref, quotaBytes: number | null, options?: CallOptions): Promise<UserQuota>;

  /** Newest first. */
  listAudit(query?: AuditQuery & CallOptions): Promise<AuditEvent[]>;
}

export type AdminClientOptions = Omit<TransportOptions, 'apiPath'> & {
  /** Default /datafiles/v1. */
  apiPath?: string;
};

function ref(value: Ref, what: string): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${what} must be a positive integer or a name; got ${String(value)}.`);
    return String(value);
  }
  if (typeof value !== 'string' || value === '') throw new TypeError(`${what} must be a non-empty name or an id.`);
  return encodeURIComponent(value);
}

function time(value: number | string | Date | undefined): string | number | undefined {
  return value instanceof Date ? value.getTime() : value;
}

export function createAdminClient(options: AdminClientOptions): AdminClient {
  const { send } = createTransport({ ...options, apiPath: options.apiPath ?? ACCESS_API_PATH });

  async function call<T>(spec: Omit<RequestSpec, 'path'> & { path: string }): Promise<T> {
    const response = await send({ ...spec, path: `/admin${spec.path}` });
    return readJson<T>(response, spec.what, spec.signal);
  }
  const get = <T>(path: string, what: string, signal?: AbortSignal, query?: Record<string, QueryValue>) =>
    call<T>({ method: 'GET', path, query, signal, what });

  return {
    listUsers: (page = {}) => get('/users', 'listUsers', page.signal, { q: page.q || undefined, limit: page.limit, offset: page.offset }),
    createUser: (user, callOptions = {}) =>
      call({
        method: 'POST',
        path: '/users',
        json: { name: user.name, isAdmin: user.isAdmin, token: user.token },
        signal: callOptions.signal,
        what: 'createUser',
      }),
    getUser: (user, callOptions = {}) => get(`/users/${ref(user, 'user')}`, 'getUser', callOptions.signal),
    disableUser: (user, callOptions = {}) =>
      call({ method: 'POST', path: `/users/${ref(user, 'user')}/disable`, signal: callOptions.signal, what: 'disableUser' }),
    enableUser: (user, callOptions = {}) =>
      call({ method: 'POST', path: `/users/${ref(user, 'user')}/enable`, signal: callOptions.signal, what: 'enableUser' }),
    createLoginLink: (user, linkOptions = {}) =>
      call({
        method: 'POST',
        path: `/users/${ref(user, 'user')}/login-link`,
        json: linkOptions.expires === undefined ? {} : { expires: linkOptions.expires },
        signal: linkOptions.signal,
        what: 'createLoginLink',
      }),
    deleteUser: (user, deleteOptions = {}) =>
      call({
        method: 'DELETE',
        path: `/users/${ref(user, 'user')}`,
        query: { transferTo: deleteOptions.transferTo === undefined ? undefined : String(deleteOptions.transferTo) },
        signal: deleteOptions.signal,
        what: 'deleteUser',
      }),

    listTokens: (tokenOptions = {}) =>
      get(tokenOptions.user === undefined ? '/tokens' : `/users/${ref(tokenOptions.user, 'user')}/tokens`, 'listTokens', tokenOptions.signal),
    createToken: (user, token = {}, callOptions = {}) =>
      call({ method: 'POST', path: `/users/${ref(user, 'user')}/tokens`, json: token, signal: callOptions.signal, what: 'createToken' }),
    revokeToken: (tokenId, callOptions = {}) => {
      if (!Number.isSafeInteger(tokenId) || tokenId < 1) throw new TypeError(`tokenId must be a positive integer; got ${String(tokenId)}.`);
      return call({ method: 'DELETE', path: `/tokens/${tokenId}`, signal: callOptions.signal, what: 'revokeToken' });
    },
    revokeAllTokens: (user, callOptions = {}) =>
      call({ method: 'POST', path: `/users/${ref(user, 'user')}/tokens/revoke-all`, signal: callOptions.signal, what: 'revokeAllTokens' }),

    listGroups: (page = {}) => get('/groups', 'listGroups', page.signal, { q: page.q || undefined, limit: page.limit, offset: page.offset }),
    createGroup: (name, callOptions = {}) => call({ method: 'POST', path: '/groups', json: { name }, signal: callOptions.signal, what: 'createGroup' }),
    getGroup: (group, callOptions = {}) => get(`/groups/${ref(group, 'group')}`, 'getGroup', callOptions.signal),
    renameGroup: (group, name, callOptions = {}) =>
      call({ method: 'PATCH', path: `/groups/${ref(group, 'group')}`, json: { name }, signal: callOptions.signal, what: 'renameGroup' }),
    deleteGroup: (group, callOptions = {}) =>
      call({ method: 'DELETE', path: `/groups/${ref(group, 'group')}`, signal: callOptions.signal, what: 'deleteGroup' }),
    addMember: (group, user, callOptions = {}) =>
      call({ method: 'PUT', path: `/groups/${ref(group, 'group')}/members/${ref(user, 'user')}`, signal: callOptions.signal, what: 'addMember' }),
    removeMember: (group, user, callOptions = {}) =>
      call({ method: 'DELETE', path: `/groups/${ref(group, 'group')}/members/${ref(user, 'user')}`, signal: callOptions.signal, what: 'removeMember' }),

    getQuota: (user, callOptions = {}) => get(`/users/${ref(user, 'user')}/quota`, 'getQuota', callOptions.signal),
    setQuota: (user, quotaBytes, callOptions = {}) => {
      if (quotaBytes !== null && (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0))
        throw new TypeError(`quotaBytes must be a whole number of bytes, 0 or more, or null; got ${String(quotaBytes)}.`);
      return call({ method: 'PUT', path: `/users/${ref(user, 'user')}/quota`, json: { quotaBytes }, signal: callOptions.signal, what: 'setQuota' });
    },

    listAudit: (query = {}) =>
      get('/audit', 'listAudit', query.signal, {
        actor: query.actor || undefined,
        file: query.file,
        kind: query.kind,
        from: time(query.from),
        to: time(query.to),
        before: query.before,
        limit: query.limit,
      }),
  };
}
