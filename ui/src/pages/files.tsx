// The files view (issue 15, item 3): every file the user may read, filtered (mine, shared with
// me, public), searched by name, sorted by any column, in a virtually scrolled table
// (filesView/virtualRows.ts) that stays smooth at 10,000 files. The filter, search and sort live
// in the route's query (#/files?filter=mine&sort=size&desc=1&q=report), so a reload or a bookmark
// keeps them. Each name links to the file's page, #/files/<id>.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Me } from '@datafiles/sdk';
import { ErrorMessage } from '../components/errorMessage';
import { href, type Route } from '../router';
import { FilesTable } from '../filesView/filesTable';
import { useFileRows, useSharedIds } from '../filesView/loadRows';
import { FILTERS, isFilter, isSortKey, visibleRows, type View } from '../filesView/rows';

function viewFrom(route: Route): View {
  const filter = route.query.get('filter');
  const sort = route.query.get('sort');
  return {
    filter: isFilter(filter) ? filter : 'all',
    search: route.query.get('q') ?? '',
    sort: isSortKey(sort) ? sort : 'name',
    descending: route.query.get('desc') === '1',
  };
}

/** Keeps the view in the address without a history entry per keystroke. */
function rememberView(view: View): void {
  const query = new URLSearchParams();
  if (view.filter !== 'all') query.set('filter', view.filter);
  if (view.search !== '') query.set('q', view.search);
  if (view.sort !== 'name') query.set('sort', view.sort);
  if (view.descending) query.set('desc', '1');
  const text = query.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${href('files')}${text ? `?${text}` : ''}`);
}

export function FilesPage(props: { token: string; route: Route; me: Me | undefined }) {
  const [view, setView] = useState(() => viewFrom(props.route));
  // A hash change from outside (back, forward, a link to #/files?filter=mine) sets the view too;
  // the view's own changes replace the address without one (rememberView).
  const query = props.route.query.toString();
  useEffect(() => setView(viewFrom(props.route)), [query]);
  const { rows, loading: loadingRows, failure: rowsFailure, ownerName } = useFileRows(props.token, props.me?.user.id);
  const { shared, failure: sharedFailure } = useSharedIds(props.token, view.filter === 'shared');
  const loading = loadingRows || (view.filter === 'shared' && shared === undefined && sharedFailure === undefined);
  const failure = rowsFailure ?? sharedFailure;
  const me = props.me?.user.id;
  const shown = useMemo(() => visibleRows(rows, view, me, ownerName, shared), [rows, view, me, ownerName, shared]);
  const change = (next: Partial<View>) => {
    const updated = { ...view, ...next };
    setView(updated);
    rememberView(updated);
  };

  return (
    <section class="files" aria-labelledby="files-heading">
      <h1 id="files-heading">Files</h1>
      <div class="files-tools">
        <fieldset class="files-filter">
          <legend>Show</legend>
          {FILTERS.map((filter) => (
            <label key={filter.value}>
              <input
                type="radio"
                name="files-filter"
                value={filter.value}
                checked={view.filter === filter.value}
                onChange={() => change({ filter: filter.value })}
              />
              {filter.label}
            </label>
          ))}
        </fieldset>
        <label class="files-search">
          Search by name
          <input type="search" autoComplete="off" value={view.search} onInput={(event) => change({ search: event.currentTarget.value })} />
        </label>
      </div>
      <ErrorMessage error={failure} />
      <p class="files-count" role="status">
        {loading ? `Loading files… ${rows.length} so far` : `${shown.length} of ${rows.length} files`}
      </p>
      {!loading && rows.length === 0 && failure === undefined ? (
        <div class="files-empty">
          <h2>No files yet</h2>
          <p>Files you upload, and files others share with you or make public, appear here.</p>
        </div>
      ) : !loading && rows.length > 0 && shown.length === 0 ? (
        <div class="files-empty">
          <h2>No files match</h2>
          <p>Try another filter, or clear the search.</p>
        </div>
      ) : (
        <FilesTable rows={shown} total={rows.length} view={view} me={me} ownerName={ownerName} onSort={(sort, descending) => change({ sort, descending })} />
      )}
    </section>
  );
}
