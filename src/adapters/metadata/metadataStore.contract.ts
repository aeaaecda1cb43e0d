// The MetadataStore contract (docs/architecture.md, "One contract test suite per port"): every
// implementation runs this same suite unchanged, and a new backend is done when it passes. It uses
// only the port, never the tables underneath, so it states what callers may rely on.
//
// Each test gets a fresh, empty store from `makeStore`; the suite closes the store before `cleanup`.
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { MetadataStore } from '../../core/ports/metadataStore.js';
import { accountsContract } from './contract/accounts.contract.js';
import { auditContract } from './contract/audit.contract.js';
import { filesContract } from './contract/files.contract.js';
import { listingContract } from './contract/listing.contract.js';
import { permissionsContract } from './contract/permissions.contract.js';
import { principalsContract } from './contract/principals.contract.js';
import { sessionLimitsContract } from './contract/sessionLimits.contract.js';
import { scansContract } from './contract/scans.contract.js';
import { sessionsContract } from './contract/sessions.contract.js';
import { sharingContract } from './contract/sharing.contract.js';
import { signInCodesContract } from './contract/signInCodes.contract.js';

export type MakeMetadataStore = () => Promise<{ store: MetadataStore; cleanup: () => Promise<void> }>;

export function metadataStoreContract(name: string, makeStore: MakeMetadataStore): void {
  describe(`MetadataStore contract: ${name}`, { timeout: 180_000 }, () => {
    let store: MetadataStore;
    let cleanup: () => Promise<void>;
    const currentStore = (): MetadataStore => store;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    principalsContract(currentStore);
    filesContract(currentStore);
    listingContract(currentStore);
    permissionsContract(currentStore);
    sessionsContract(currentStore);
    sessionLimitsContract(currentStore);
    accountsContract(currentStore);
    auditContract(currentStore);
    sharingContract(currentStore);
    scansContract(currentStore);
    signInCodesContract(currentStore);

    describe('health', () => {
      it('ping answers while the store is open', async () => {
        await store.ping();
      });

      it('close may be called more than once', async () => {
        await store.close();
        await store.close();
      });
    });
  });
}
