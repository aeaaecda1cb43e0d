// `share`/`unshare --user alice`: a name becomes an id through the server's principal lookup
// (GET /datafiles/v1/principals?prefix=, docs/decisions.md 64); an id is used as given. The SDK
// speaks Domo's Files API only, hence a plain fetch here.
import { DatafilesError } from '@datafiles/sdk';
import type { ClientCommandContext } from './clientCommand.js';
import { UsageError } from './options.js';

export async function principalId(context: ClientCommandContext, type: 'USER' | 'GROUP', reference: string): Promise<number> {
  if (/^[1-9][0-9]{0,15}$/.test(reference)) return Number(reference);
  const token = (context.values.token as string | undefined) ?? context.io.env.DATAFILES_TOKEN ?? '';
  const url = `${context.url.replace(/\/+$/, '')}/datafiles/v1/principals?prefix=${encodeURIComponent(reference)}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new DatafilesError(
      { status: 0, statusReason: 'Network Error', message: `looking up "${reference}" failed: ${(error as Error).message}` },
      { cause: error },
    );
  }
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) {
    const error = body as { message?: string; toe?: string } | undefined;
    throw new DatafilesError({
      status: response.status,
      statusReason: response.statusText,
      message: error?.message ?? `looking up "${reference}" failed`,
      toe: error?.toe,
    });
  }
  const matches = (Array.isArray(body) ? body : []) as Array<{ type: string; id: number; name: string }>;
  const exact = matches.find((match) => match.type === type && match.name === reference);
  if (!exact) {
    const similar = matches.filter((match) => match.type === type).map((match) => match.name);
    throw new UsageError(
      `no ${type === 'USER' ? 'user' : 'group'} named "${reference}"${similar.length > 0 ? ` (did you mean ${similar.slice(0, 5).join(', ')}?)` : ''}`,
    );
  }
  return exact.id;
}
