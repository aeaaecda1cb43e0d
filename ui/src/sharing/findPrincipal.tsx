// Finds users and groups by the start of their name (GET /datafiles/v1/principals, docs/decisions.md
// 64) and offers each as a button: a labelled search field and a list of results, operable with
// Tab and Enter alone.
import type { Principal, SharingClient } from '@datafiles/sdk';
import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/errorMessage';

/** Typing pauses this long before a lookup, so a name typed quickly costs one request. */
const LOOKUP_DELAY_MS = 200;

export function FindPrincipal(props: { principals: SharingClient; onPick(principal: Principal): void; disabled: boolean }) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Principal[]>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    setError(undefined);
    if (query.trim() === '') {
      setFound(undefined);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      props.principals.lookupPrincipals(query, { signal: controller.signal }).then(
        (result) => setFound(result),
        (failure) => {
          if (!controller.signal.aborted) setError(failure);
        },
      );
    }, LOOKUP_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, props.principals]);

  return (
    <div class="find-principal">
      <label for="share-search">Add people or groups</label>
      <input
        id="share-search"
        type="search"
        autoComplete="off"
        placeholder="Start of a name"
        value={query}
        onInput={(event) => setQuery((event.target as HTMLInputElement).value)}
      />
      <ErrorMessage error={error} />
      <p class="status" role="status">
        {found === undefined ? '' : found.length === 0 ? 'No user or group has a name starting so.' : `${found.length} found.`}
      </p>
      {found !== undefined && found.length > 0 && (
        <ul class="principal-results" aria-label="Users and groups found">
          {found.map((principal) => (
            <li key={`${principal.type}:${principal.id}`}>
              <button
                type="button"
                class="small"
                disabled={props.disabled}
                onClick={() => {
                  props.onPick(principal);
                  setQuery('');
                }}
              >
                Add {principal.type === 'USER' ? 'user' : 'group'} {principal.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
