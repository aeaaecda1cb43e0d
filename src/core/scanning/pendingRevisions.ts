// With scanning on, every new revision is stored PENDING (docs/decisions.md 85), whichever path
// creates it (upload, revision upload, multipart commit, and any later one): the metadata port is
// wrapped where the services are wired, so none of those paths needs to know about scanning.
import type { NewRevision } from '../model.js';
import type { MetadataStore } from '../ports/metadataStore.js';

const pending = (revision: NewRevision): NewRevision => ({ ...revision, scanState: 'PENDING' });

/** `onPending` is told after each new PENDING revision (to wake the scanner). */
export function withPendingNewRevisions(metadata: MetadataStore, onPending: () => void = () => {}): MetadataStore {
  const files = metadata.files;
  return {
    ...metadata,
    files: {
      ...files,
      createFile: async (input) => {
        const created = await files.createFile({ ...input, revision: pending(input.revision) });
        onPending();
        return created;
      },
      addRevision: async (input) => {
        const added = await files.addRevision({ ...input, revision: pending(input.revision) });
        onPending();
        return added;
      },
    },
  };
}
