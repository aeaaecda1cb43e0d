// The admin API client of the signed-in browser: @datafiles/sdk's createAdminClient with the stored
// token in the Authorization header (ui/src/session.ts says why never a cookie alone).
import { createAdminClient, type AdminClient } from '@datafiles/sdk';
import { useMemo } from 'preact/hooks';

export function useAdminClient(token: string): AdminClient {
  return useMemo(() => createAdminClient({ baseUrl: location.origin, token }), [token]);
}
