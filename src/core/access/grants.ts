// docs/decisions.md 16: "Grants form a ladder: READ < READ_WRITE < READ_WRITE_DELETE <
// READ_WRITE_DELETE_SHARE < READ_WRITE_DELETE_SHARE_ADMIN."
import { GRANTS, type Grant } from '../model.js';

export function grantRank(grant: Grant): number {
  return GRANTS.indexOf(grant);
}

export function grantAtLeast(held: Grant | undefined, needed: Grant): boolean {
  return held !== undefined && grantRank(held) >= grantRank(needed);
}

export function highestGrant(grants: readonly (Grant | undefined)[]): Grant | undefined {
  let best: Grant | undefined;
  for (const grant of grants) {
    if (grant !== undefined && (best === undefined || grantRank(grant) > grantRank(best))) best = grant;
  }
  return best;
}

export const ADMIN_GRANT: Grant = 'READ_WRITE_DELETE_SHARE_ADMIN';

/** docs/decisions.md 17: the grant each operation needs. */
export const NEEDED_GRANT = {
  read: 'READ',
  write: 'READ_WRITE',
  delete: 'READ_WRITE_DELETE',
  share: 'READ_WRITE_DELETE_SHARE',
} as const satisfies Record<string, Grant>;

export type Access = keyof typeof NEEDED_GRANT;
