// Wires the domain services to the stores.
import { FileService } from '../core/files/fileService.js';
import { PermissionService } from '../core/permissions/permissionService.js';
import { PrincipalService } from '../core/principals/principalService.js';
import { SessionService } from '../core/sessions/sessionService.js';
import { systemClock, type Clock } from '../core/ports/clock.js';
import type { Hasher } from '../core/ports/hasher.js';
import { sharedWorkerHasher } from '../adapters/hashing/workerHasher.js';
import type { Stores } from './openStores.js';

const DEFAULT_SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_MAX_PART_BYTES = 5 * 1024 ** 3;

export function createServices(
  stores: Stores,
  options: { clock?: Clock; hasher?: Hasher; log?: { warn(object: object, message: string): void }; sessions?: { ttlMs: number; maxPartBytes: number; maxOpenPerUser?: number } } = {},
) {
  const clock = options.clock ?? systemClock;
  // One pool of hashing threads for the process (src/adapters/hashing/workerHasher.ts).
  const hasher = options.hasher ?? sharedWorkerHasher();
  const files = new FileService({ metadata: stores.metadata, blobs: stores.blobs, clock, hasher, log: options.log });
  return {
    files,
    sessions: new SessionService({
      metadata: stores.metadata,
      blobs: stores.blobs,
      files,
      clock,
      hasher,
      ttlMs: options.sessions?.ttlMs ?? DEFAULT_SESSION_TTL_MS,
      maxPartBytes: options.sessions?.maxPartBytes ?? DEFAULT_MAX_PART_BYTES,
      maxOpenPerUser: options.sessions?.maxOpenPerUser,
      log: options.log,
    }),
    permissions: new PermissionService(stores.metadata),
    principals: new PrincipalService({ metadata: stores.metadata, clock }),
  };
}

export type Services = ReturnType<typeof createServices>;
