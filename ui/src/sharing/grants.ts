// The grant ladder (docs/decisions.md 16) in words a person reads in the sharing dialog.
import { GRANTS, type Grant } from '@datafiles/sdk';

export { GRANTS };

export const GRANT_LABEL: Record<Grant, string> = {
  READ: 'Can read',
  READ_WRITE: 'Can read and upload revisions',
  READ_WRITE_DELETE: 'Can also delete',
  READ_WRITE_DELETE_SHARE: 'Can also share',
  READ_WRITE_DELETE_SHARE_ADMIN: 'Full control (can grant full control)',
};
