// The admin commands (issue 12): users, groups and tokens, run directly on the stores (so they
// work with or without a running server), by the operator, who is an admin by definition. Each
// returns one record (printed as one JSON line, as these commands always did) or a list (a table
// on a terminal, one JSON object per line otherwise). A token's secret is printed only by the
// commands that create it.
import { isScope, type Scope, type TokenRecord } from '../core/accounts/model.js';
import type { AccountService } from '../core/accounts/accountService.js';
import { parseDuration } from '../core/accounts/duration.js';
import { isAuditKind, type AuditService } from '../core/audit/auditService.js';
import { AUDIT_KINDS } from '../core/audit/model.js';
import type { Account } from '../core/accounts/model.js';
import type { Clock } from '../core/ports/clock.js';
import { UsageError } from './options.js';
import { signInUrl, type SignInService } from '../core/accounts/signInService.js';

export interface AdminContext {
  accounts: AccountService;
  signIn: SignInService;
  env: Record<string, string | undefined>;
  audit: AuditService;
  clock: Clock;
  positionals: string[];
  values: Record<string, string | undefined>;
  flags: Record<string, boolean>;
}

export type AdminResult = { one: object } | { list: Array<Record<string, unknown>>; columns: string[] };

export interface AdminCommand {
  usage: string;
  /** Positional arguments: exactly, or [min, max]. */
  arity: number | [number, number];
  flags?: Record<string, string>;
  /** Options that take a value (not configuration: no environment variable). */
  options?: Record<string, string>;
  run(context: AdminContext): Promise<AdminResult>;
}

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

function userRow(user: Account) {
  return { id: user.id, name: user.name, isAdmin: user.isAdmin, createdAt: iso(user.createdAt), disabledAt: iso(user.disabledAt) };
}

function tokenRow(token: TokenRecord, now: number) {
  const state = token.revokedAt !== null ? 'revoked' : token.expiresAt !== null && now >= token.expiresAt ? 'expired' : 'active';
  return {
    id: token.id,
    userId: token.userId,
    label: token.label,
    scope: token.scope,
    state,
    createdAt: iso(token.createdAt),
    expiresAt: iso(token.expiresAt),
    lastUsedAt: iso(token.lastUsedAt),
    revokedAt: iso(token.revokedAt),
  };
}

const USER_COLUMNS = ['id', 'name', 'isAdmin', 'createdAt', 'disabledAt'];
const TOKEN_COLUMNS = ['id', 'userId', 'label', 'scope', 'state', 'createdAt', 'expiresAt', 'lastUsedAt'];
const TOKEN_OPTIONS = {
  scope: 'read, write or admin (default: the widest the user may have)',
  expires: 'lifetime: 30m, 12h, 90d, 2w, 1y or never (default --token-default-ttl-days)',
  label: 'what the token is for',
};

function scopeOption(text: string | undefined): Scope | undefined {
  if (text === undefined) return undefined;
  if (!isScope(text)) throw new UsageError(`--scope must be read, write or admin; got "${text}"`);
  return text;
}

function tokenId(text: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(text))
    throw new UsageError(`TOKEN_ID must be a token's id (a positive integer, as "tokens list" shows), never its secret; got "${text.slice(0, 12)}…"`);
  return Number(text);
}

function pageOf(values: Record<string, string | undefined>) {
  const number = (name: string) => {
    const text = values[name];
    if (text === undefined) return undefined;
    if (!/^[0-9]{1,7}$/.test(text)) throw new UsageError(`--${name} must be a whole number; got "${text}"`);
    return Number(text);
  };
  return { limit: number('limit') ?? 1000, offset: number('offset') ?? 0 };
}

const PAGE_OPTIONS = { search: 'only names starting with this (case-insensitive)', limit: 'at most N (default 1000)', offset: 'skip the first N' };

export const ADMIN_COMMANDS: Record<string, Record<string, AdminCommand>> = {
  users: {
    add: {
      usage: 'datafiles users add NAME [--admin] [--scope S] [--expires D] [--label TEXT]   → {"id","name","token",…}',
      arity: 1,
      flags: { admin: 'make the user an instance admin' },
      options: TOKEN_OPTIONS,
      async run({ accounts, positionals: [name], flags, values }) {
        const { user, token, record } = await accounts.createUser({
          name,
          isAdmin: Boolean(flags.admin),
          token: { scope: scopeOption(values.scope), expires: values.expires, label: values.label ?? 'first token' },
        });
        return { one: { id: user.id, name: user.name, token, tokenId: record.id, scope: record.scope, expiresAt: iso(record.expiresAt) } };
      },
    },
    list: {
      usage: 'datafiles users list [--search PREFIX]',
      arity: 0,
      options: PAGE_OPTIONS,
      async run({ accounts, values }) {
        return { list: (await accounts.listUsers({ prefix: values.search, ...pageOf(values) })).map(userRow), columns: USER_COLUMNS };
      },
    },
    show: {
      usage: 'datafiles users show NAME   (a user, its groups, usage and tokens)',
      arity: 1,
      async run({ accounts, clock, positionals: [name] }) {
        const details = await accounts.userDetails(name);
        const now = clock.now();
        return { one: { ...userRow(details), groups: details.groups, usage: details.usage, tokens: details.tokens.map((token) => tokenRow(token, now)) } };
      },
    },
    disable: {
      usage: 'datafiles users disable NAME   (its tokens stop working on the next request)',
      arity: 1,
      async run({ accounts, positionals: [name] }) {
        return { one: userRow(await accounts.setDisabled(name, true)) };
      },
    },
    enable: {
      usage: 'datafiles users enable NAME',
      arity: 1,
      async run({ accounts, positionals: [name] }) {
        return { one: userRow(await accounts.setDisabled(name, false)) };
      },
    },
    quota: {
      usage: 'datafiles users quota NAME [--set BYTES|none|default]   (show, or set: none = no quota, default = the instance default)',
      arity: 1,
      options: { set: 'the quota in bytes, none for no quota, or default for the instance default' },
      async run({ accounts, positionals: [name], values }) {
        if (values.set !== undefined) {
          const text = values.set.trim().toLowerCase();
          if (!/^([0-9]{1,16}|none|default)$/.test(text)) throw new UsageError(`--set takes a number of bytes, none or default; got "${values.set}"`);
          await accounts.setQuota(name, text === 'default' ? null : text === 'none' ? 0 : Number(text));
        }
        const account = await accounts.account(name);
        const [quotaBytes, usage] = await Promise.all([accounts.quotaOf(account.id), accounts.usageOf(account.id)]);
        return { one: { userId: account.id, name: account.name, quotaBytes, usage } };
      },
    },
    'login-link': {
      usage: 'datafiles users login-link NAME [--expires 15m] [--url http://host:port]   → {"url",…} (works once)',
      arity: 1,
      options: {
        expires: 'how long the link works: 15m, 2h, 1d… (default --sign-in-link-ttl-minutes)',
        url: 'the server as browsers reach it (default $DATAFILES_PUBLIC_URL, else http://$DATAFILES_HOST:$DATAFILES_PORT, else http://127.0.0.1:8080)',
      },
      async run({ accounts, signIn, env, positionals: [name], values }) {
        const user = await accounts.account(name);
        const ttlMs = values.expires === undefined ? undefined : parseDuration(values.expires);
        if (ttlMs === null) throw new UsageError('--expires: a sign-in link always expires; give a lifetime such as 15m or 2h');
        const base = values.url ?? (env.DATAFILES_PUBLIC_URL || `http://${env.DATAFILES_HOST || '127.0.0.1'}:${env.DATAFILES_PORT || '8080'}`);
        if (!/^https?:\/\/[^\s/]+/.test(base)) throw new UsageError(`--url must be an http(s) URL; got "${base}"`);
        const { code, expiresAt } = await signIn.issueCode(user, { operator: true }, ttlMs);
        return { one: { user: user.name, url: signInUrl(base, code), expiresAt: iso(expiresAt) } };
      },
    },
    delete: {
      usage: 'datafiles users delete NAME [--transfer-to USER]   (required when NAME has files: never orphaned)',
      arity: 1,
      options: { 'transfer-to': 'the user who gets the deleted user’s files' },
      async run({ accounts, positionals: [name], values }) {
        const deleted = await accounts.deleteUser(name, values['transfer-to']);
        return {
          one: { deleted: deleted.user.name, id: deleted.user.id, transferTo: deleted.transferTo?.name ?? null, filesTransferred: deleted.filesTransferred },
        };
      },
    },
  },
  groups: {
    add: {
      usage: 'datafiles groups add NAME',
      arity: 1,
      async run({ accounts, positionals: [name] }) {
        const group = await accounts.createGroup(name);
        return { one: { id: group.id, name: group.name } };
      },
    },
    list: {
      usage: 'datafiles groups list [--search PREFIX]',
      arity: 0,
      options: PAGE_OPTIONS,
      async run({ accounts, values }) {
        const groups = await accounts.listGroups({ prefix: values.search, ...pageOf(values) });
        return { list: groups.map((group) => ({ ...group })), columns: ['id', 'name', 'memberCount'] };
      },
    },
    show: {
      usage: 'datafiles groups show GROUP   (a group and its members)',
      arity: 1,
      async run({ accounts, positionals: [group] }) {
        const details = await accounts.groupDetails(group);
        return { one: { id: details.id, name: details.name, members: details.members.map((member) => ({ id: member.id, name: member.name })) } };
      },
    },
    'add-member': {
      usage: 'datafiles groups add-member GROUP USER   (each by id or name)',
      arity: 2,
      async run({ accounts, positionals: [group, user] }) {
        const added = await accounts.addMember(group, user);
        return { one: { groupId: added.group.id, userId: added.user.id } };
      },
    },
    'remove-member': {
      usage: 'datafiles groups remove-member GROUP USER   (each by id or name)',
      arity: 2,
      async run({ accounts, positionals: [group, user] }) {
        const removed = await accounts.removeMember(group, user);
        return { one: { groupId: removed.group.id, userId: removed.user.id, removed: true } };
      },
    },
    rename: {
      usage: 'datafiles groups rename GROUP NEW_NAME',
      arity: 2,
      async run({ accounts, positionals: [group, name] }) {
        const renamed = await accounts.renameGroup(group, name);
        return { one: { id: renamed.id, name: renamed.name } };
      },
    },
    delete: {
      usage: 'datafiles groups delete GROUP   (its memberships and the permission entries naming it go too)',
      arity: 1,
      async run({ accounts, positionals: [group] }) {
        const deleted = await accounts.deleteGroup(group);
        return { one: { id: deleted.id, name: deleted.name, deleted: true } };
      },
    },
  },
  tokens: {
    create: {
      usage: 'datafiles tokens create USER [--scope S] [--expires D] [--label TEXT]   → {"token",…}',
      arity: 1,
      options: TOKEN_OPTIONS,
      async run({ accounts, positionals: [user], values }) {
        const { record, secret } = await accounts.createToken(
          user,
          { operator: true },
          { scope: scopeOption(values.scope), expires: values.expires, label: values.label },
        );
        return { one: { token: secret, id: record.id, userId: record.userId, scope: record.scope, expiresAt: iso(record.expiresAt), label: record.label } };
      },
    },
    list: {
      usage: 'datafiles tokens list [USER]   (never a secret)',
      arity: [0, 1],
      async run({ accounts, clock, positionals: [user] }) {
        const now = clock.now();
        return { list: (await accounts.listTokens(user)).map((token) => tokenRow(token, now)), columns: TOKEN_COLUMNS };
      },
    },
    revoke: {
      usage: 'datafiles tokens revoke TOKEN_ID   (stops working on every server from the next request)',
      arity: 1,
      async run({ accounts, clock, positionals: [id] }) {
        return { one: tokenRow(await accounts.tokens.revoke(tokenId(id), { operator: true }), clock.now()) };
      },
    },
    'revoke-all': {
      usage: 'datafiles tokens revoke-all USER',
      arity: 1,
      async run({ accounts, positionals: [user] }) {
        const result = await accounts.revokeAllTokens(user);
        return { one: { userId: result.user.id, name: result.user.name, revoked: result.revoked } };
      },
    },
  },
  audit: {
    list: {
      usage: 'datafiles audit list [--actor NAME] [--file ID] [--kind KIND] [--since 7d] [--limit N] [--before ID]   (newest first)',
      arity: 0,
      options: {
        actor: 'only events by this actor (a user name)',
        file: 'only events about this file id',
        kind: `only this kind: ${AUDIT_KINDS.join(', ')}`,
        since: 'only events this recent (30m, 12h, 7d, …)',
        limit: 'at most N events (default 100)',
        before: 'only events older than this event id (the next page)',
      },
      async run({ audit, clock, values }) {
        const id = (name: string) => {
          const text = values[name];
          if (text === undefined) return undefined;
          if (!/^[1-9][0-9]{0,14}$/.test(text)) throw new UsageError(`--${name} must be a positive integer; got "${text}"`);
          return Number(text);
        };
        if (values.kind !== undefined && !isAuditKind(values.kind)) throw new UsageError(`--kind must be one of ${AUDIT_KINDS.join(', ')}`);
        const since = values.since === undefined ? undefined : parseDuration(values.since);
        const events = await audit.list({
          actor: values.actor,
          fileId: id('file'),
          kind: values.kind as never,
          from: since === undefined || since === null ? undefined : clock.now() - since,
          before: id('before'),
          limit: id('limit') ?? 100,
        });
        return {
          list: events.map((event) => ({ ...event, at: iso(event.at) })),
          columns: ['id', 'at', 'kind', 'actorName', 'subject', 'fileId', 'details'],
        };
      },
    },
  },
};
