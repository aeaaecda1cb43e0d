// The admin API client of the signed-in browser (session.ts: the token in a header, a 401 signs
// the page out), made once per token.
import type { AdminClient } from '@datafiles/sdk';
import { useMemo } from 'preact/hooks';
import { adminClient } from '../session';

export function useAdminClient(token: string): AdminClient {
  return useMemo(() => adminClient(token), [token]);
}
