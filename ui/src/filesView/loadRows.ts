// Loads every file the user may read, in pages (the view shows the first page while the rest
// comes), and the owners' names. The list is ordered by id, so offset paging neither skips nor
// repeats a file that is not deleted meanwhile. The ids of the files shared with the user (the
// "Shared with me" filter) are asked of the server when that filter is first chosen: a file's
// details do not say whether an entry names the user (docs/decisions.md 180).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { accountClient, filesClient } from '../session';
import { UPLOADED_EVENT } from '../upload';
import { toRow, type Row } from './rows';

/** A small first page paints the table at once; large ones fetch everything in few requests. */
const FIRST_PAGE = 500;
const PAGE = 10_000;
const NAMES_PER_CALL = 100;

export function useFileRows(token: string, me: number | undefined) {
  const [rows, setRows] = useState<Row[]>([]);
  const [loading, setLoading] = useState(true);
  const [failure, setFailure] = useState<unknown>();
  const [names, setNames] = useState<Map<number, string>>(new Map());
  // A finished upload (ui/src/upload) loads the list again, so the new file shows.
  const [uploads, setUploads] = useState(0);
  useEffect(() => {
    const uploaded = () => setUploads((count) => count + 1);
    addEventListener(UPLOADED_EVENT, uploaded);
    return () => removeEventListener(UPLOADED_EVENT, uploaded);
  }, []);

  useEffect(() => {
    const abort = new AbortController();
    const files = filesClient(token);
    const account = accountClient(token);
    (async () => {
      // Two requests at once: a small one paints the table quickly, a large one brings (up to
      // PAGE of) everything; more pages follow only past PAGE files.
      const options = { expand: ['metadata'] as const, signal: abort.signal };
      let largeArrived = false;
      void files.getFileDetailsList({ ...options, limit: FIRST_PAGE, offset: 0 }).then(
        (page) => largeArrived || setRows(page.map(toRow)),
        () => undefined, // The large request reports the failure.
      );
      const all: Row[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await files.getFileDetailsList({ ...options, limit: PAGE, offset });
        largeArrived = true;
        for (const file of page) all.push(toRow(file));
        setRows([...all]);
        if (page.length < PAGE) break;
      }
      setLoading(false);
      const owners = [...new Set(all.map((row) => row.ownerId))];
      const found = new Map<number, string>();
      for (let start = 0; start < owners.length; start += NAMES_PER_CALL) {
        for (const { id, name } of await account.userNames(owners.slice(start, start + NAMES_PER_CALL), { signal: abort.signal })) found.set(id, name);
      }
      setNames(found);
    })().catch((error: unknown) => {
      if (abort.signal.aborted) return;
      setFailure(error);
      setLoading(false);
    });
    return () => abort.abort();
  }, [token, uploads]);

  const ownerName = useCallback((id: number) => (id === me ? 'you' : (names.get(id) ?? `user ${id}`)), [names, me]);
  return { rows, loading, failure, ownerName };
}

/**
 * The ids of the files shared with the user (docs/decisions.md 180), once `wanted`; undefined
 * until they have come. Loaded again after an upload, as the list is.
 */
export function useSharedIds(token: string, wanted: boolean): { shared: ReadonlySet<number> | undefined; failure: unknown } {
  const [loaded, setLoaded] = useState<{ token: string; uploads: number; ids: ReadonlySet<number> }>();
  const [failure, setFailure] = useState<unknown>();
  const [uploads, setUploads] = useState(0);
  useEffect(() => {
    const uploaded = () => setUploads((count) => count + 1);
    addEventListener(UPLOADED_EVENT, uploaded);
    return () => removeEventListener(UPLOADED_EVENT, uploaded);
  }, []);
  const current = loaded !== undefined && loaded.token === token && loaded.uploads === uploads;

  useEffect(() => {
    if (!wanted || current) return;
    const abort = new AbortController();
    const files = filesClient(token);
    (async () => {
      const ids = new Set<number>();
      for (let after = 0; ;) {
        const page = await files.getFileDetailsList({ sharedWithMe: true, limit: PAGE, after, signal: abort.signal });
        for (const file of page) ids.add(file.dataFileId);
        if (page.length < PAGE) break;
        after = page[page.length - 1].dataFileId;
      }
      setLoaded({ token, uploads, ids });
    })().catch((error: unknown) => {
      if (!abort.signal.aborted) setFailure(error);
    });
    return () => abort.abort();
  }, [token, uploads, wanted, current]);

  return { shared: current ? loaded.ids : undefined, failure };
}
