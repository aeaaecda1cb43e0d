// Wires the domain services to the stores.
import { FileService } from '../core/files/fileService.js';
import { PermissionService } from '../core/permissions/permissionService.js';
import { PrincipalService } from '../core/principals/principalService.js';
import { SessionService } from '../core/sessions/sessionService.js';
import { systemClock, type Clock } from '../core/ports/clock.js';
import { withPendingNewRevisions } from '../core/scanning/pendingRevisions.js';
import type { ScanPolicy } from '../scanConfig.js';
import type { Stores } from './openStores.js';

const DEFAULT_SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_MAX_PART_BYTES = 5 * 1024 ** 3;

export function createServices(
  stores: Stores,
  options: {
    clock?: Clock;
    log?: { warn(object: object, message: string): void };
    sessions?: { ttlMs: number; maxPartBytes: number };
    /** Virus scanning on (docs/decisions.md 85): new revisions are PENDING; onPending wakes the scanner. */
    scan?: { policy: ScanPolicy; onPending: () => void };
  } = {},
) {
  const clock = options.clock ?? systemClock;
  const metadata = options.scan ? withPendingNewRevisions(stores.metadata, options.scan.onPending) : stores.metadata;
  const files = new FileService({ metadata, blobs: stores.blobs, clock, log: options.log, scanPolicy: options.scan?.policy });
  return {
    files,
    sessions: new SessionService({
      metadata,
      blobs: stores.blobs,
      files,
      clock,
      ttlMs: options.sessions?.ttlMs ?? DEFAULT_SESSION_TTL_MS,
      maxPartBytes: options.sessions?.maxPartBytes ?? DEFAULT_MAX_PART_BYTES,
      log: options.log,
    }),
    permissions: new PermissionService(stores.metadata),
    principals: new PrincipalService({ metadata: stores.metadata, clock }),
  };
}

export type Services = ReturnType<typeof createServices>;
