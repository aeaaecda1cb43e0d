// Wires the domain services to the stores.
import { FileService } from '../core/files/fileService.js';
import { PermissionService } from '../core/permissions/permissionService.js';
import { PrincipalService } from '../core/principals/principalService.js';
import { systemClock, type Clock } from '../core/ports/clock.js';
import type { Stores } from './openStores.js';

export function createServices(stores: Stores, options: { clock?: Clock; log?: { warn(object: object, message: string): void } } = {}) {
  const clock = options.clock ?? systemClock;
  return {
    files: new FileService({ metadata: stores.metadata, blobs: stores.blobs, clock, log: options.log }),
    permissions: new PermissionService(stores.metadata),
    principals: new PrincipalService({ metadata: stores.metadata, clock }),
  };
}

export type Services = ReturnType<typeof createServices>;
