// Wires the domain services to the stores.
import { FileService } from '../core/files/fileService.js';
import { ProductOperations } from '../core/files/productOperations.js';
import { PermissionService } from '../core/permissions/permissionService.js';
import { PrincipalService } from '../core/principals/principalService.js';
import { AccountService } from '../core/accounts/accountService.js';
import { TokenService, type TokenPolicy } from '../core/accounts/tokenService.js';
import { SignInService, type SignInPolicy } from '../core/accounts/signInService.js';
import { AuditService, type AuditLog } from '../core/audit/auditService.js';
import type { FreeSpace } from '../core/ports/freeSpace.js';
import { QuotaService, type QuotaPolicy } from '../core/quotas/quotaService.js';
import { SessionService } from '../core/sessions/sessionService.js';
import { systemClock, type Clock } from '../core/ports/clock.js';
import type { Hasher } from '../core/ports/hasher.js';
import { sharedWorkerHasher } from '../adapters/hashing/workerHasher.js';
import { withPendingNewRevisions } from '../core/scanning/pendingRevisions.js';
import type { ScanPolicy } from '../scanConfig.js';
import type { Stores } from './openStores.js';
import type { BlobStore } from '../core/ports/blobStore.js';

const DEFAULT_SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_MAX_PART_BYTES = 5 * 1024 ** 3;

export function createServices(
  stores: Stores,
  options: {
    clock?: Clock;
    hasher?: Hasher;
    log?: { warn(object: object, message: string): void } & Partial<AuditLog>;
    sessions?: { ttlMs: number; maxPartBytes: number; maxOpenPerUser?: number; commitLeaseMs?: number };
    tokens?: TokenPolicy;
    signIn?: SignInPolicy;
    auditRetentionMs?: number;
    quotas?: QuotaPolicy;
    freeSpace?: FreeSpace;
    /** Virus scanning on (docs/decisions.md 85): new revisions are PENDING; onPending wakes the scanner. */
    scan?: { policy: ScanPolicy; onPending: () => void };
    /** The store downloads read through, e.g. with a cache in front (docs/decisions.md 182); default stores.blobs. */
    downloadBlobs?: BlobStore;
  } = {},
) {
  const clock = options.clock ?? systemClock;
  // One pool of hashing threads for the process (src/adapters/hashing/workerHasher.ts).
  const hasher = options.hasher ?? sharedWorkerHasher();
  const log = options.log;
  const audit = new AuditService({
    metadata: stores.metadata,
    clock,
    log: log?.info && log.error ? (log as AuditLog) : undefined,
    retentionMs: options.auditRetentionMs,
  });
  const tokens = new TokenService({ metadata: stores.metadata, clock, policy: options.tokens, log: options.log, audit });
  const principals = new PrincipalService({ metadata: stores.metadata, clock, tokens, audit });
  const metadata = options.scan ? withPendingNewRevisions(stores.metadata, options.scan.onPending) : stores.metadata;
  const files = new FileService({ metadata, blobs: options.downloadBlobs ?? stores.blobs, clock, hasher, log: options.log, scanPolicy: options.scan?.policy });
  return {
    files,
    product: new ProductOperations({ metadata: stores.metadata, files, clock }),
    sessions: new SessionService({
      metadata,
      blobs: stores.blobs,
      files,
      clock,
      hasher,
      ttlMs: options.sessions?.ttlMs ?? DEFAULT_SESSION_TTL_MS,
      maxPartBytes: options.sessions?.maxPartBytes ?? DEFAULT_MAX_PART_BYTES,
      maxOpenPerUser: options.sessions?.maxOpenPerUser,
      log: options.log,
      ...(options.sessions?.commitLeaseMs !== undefined && { commitTiming: { staleMs: options.sessions.commitLeaseMs } }),
    }),
    permissions: new PermissionService(stores.metadata),
    principals,
    accounts: new AccountService({ metadata: stores.metadata, clock, principals, audit }),
    audit,
    signIn: new SignInService({ metadata: stores.metadata, clock, tokens, policy: options.signIn, audit }),
    quotas: new QuotaService({ metadata: stores.metadata, policy: options.quotas ?? { defaultQuotaBytes: 0, minFreeBytes: 0 }, freeSpace: options.freeSpace }),
  };
}

export type Services = ReturnType<typeof createServices>;
