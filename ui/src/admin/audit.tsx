// #/admin/audit: the audit log, newest first, filtered by actor, kind, file and time, paged with the
// admin API's `before` (the last id of the page; README "Administration", Audit).
import { useId, useState } from 'preact/hooks';
import { AUDIT_KINDS, type AdminClient, type AuditKind, type AuditQuery } from '@datafiles/sdk';
import { ErrorMessage } from '../components/errorMessage';
import { formatTime } from './format';
import { useLoad } from './load';
import { EmptyRow, Pager, TableRegion } from './parts';

const PAGE = 50;

interface Filters {
  actor: string;
  kind: AuditKind | '';
  file: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { actor: '', kind: '', file: '', from: '', to: '' };

/** A datetime-local value (the reader's time zone) as an ISO time for the server. */
function isoTime(local: string): string | undefined {
  if (local === '') return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

function toQuery(filters: Filters): AuditQuery {
  const file = Number(filters.file);
  return {
    actor: filters.actor.trim() || undefined,
    kind: filters.kind || undefined,
    file: filters.file.trim() !== '' && Number.isSafeInteger(file) && file > 0 ? file : undefined,
    from: isoTime(filters.from),
    to: isoTime(filters.to),
  };
}

/** An event's details as text; the times among them (fields named …At) in the reader's locale. */
function details(values: Record<string, unknown>): string {
  const text = (name: string, value: unknown) =>
    typeof value === 'number' && name.endsWith('At') ? formatTime(value) : typeof value === 'string' ? value : JSON.stringify(value);
  return Object.entries(values)
    .map(([name, value]) => `${name}: ${text(name, value)}`)
    .join('; ');
}

export function AuditSection(props: { admin: AdminClient }) {
  const { admin } = props;
  const ids = { actor: useId(), kind: useId(), file: useId(), from: useId(), to: useId() };
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The `before` of each page shown so far: the last is the current page's (undefined: the newest).
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  const before = pages[pages.length - 1];
  const events = useLoad((signal) => admin.listAudit({ ...toQuery(filters), before, limit: PAGE + 1, signal }), [admin, filters, before]);
  const rows = events.data?.slice(0, PAGE) ?? [];
  const edit = (field: keyof Filters) => (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [field]: event.currentTarget.value });

  return (
    <section aria-labelledby="admin-audit-title">
      <h2 id="admin-audit-title">Audit log</h2>
      <form
        class="admin-form admin-filters"
        aria-label="Filter the audit log"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters(draft);
          setPages([undefined]);
        }}
      >
        <div class="admin-field">
          <label for={ids.actor}>Actor</label>
          <input id={ids.actor} type="text" autocomplete="off" value={draft.actor} onInput={edit('actor')} />
        </div>
        <div class="admin-field">
          <label for={ids.kind}>Kind</label>
          <select id={ids.kind} value={draft.kind} onChange={edit('kind')}>
            <option value="">any</option>
            {AUDIT_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </div>
        <div class="admin-field">
          <label for={ids.file}>File id</label>
          <input id={ids.file} type="number" min={1} step={1} value={draft.file} onInput={edit('file')} />
        </div>
        <div class="admin-field">
          <label for={ids.from}>From</label>
          <input id={ids.from} type="datetime-local" value={draft.from} onInput={edit('from')} />
        </div>
        <div class="admin-field">
          <label for={ids.to}>Until</label>
          <input id={ids.to} type="datetime-local" value={draft.to} onInput={edit('to')} />
        </div>
        <div class="admin-actions">
          <button type="submit" class="primary">
            Filter
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(NO_FILTERS);
              setFilters(NO_FILTERS);
              setPages([undefined]);
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
      <ErrorMessage error={events.error} />
      <TableRegion label="Audit events">
        <caption>{events.loading && !events.data ? 'Loading events…' : `Events, newest first${pages.length > 1 ? ` (page ${pages.length})` : ''}`}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Kind</th>
            <th scope="col">Actor</th>
            <th scope="col">Subject</th>
            <th scope="col">File</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((event) => (
            <tr key={event.id}>
              <td>{formatTime(event.at)}</td>
              <td>{event.kind}</td>
              <td>{event.actorName}</td>
              <td>{event.subject}</td>
              <td>{event.fileId ?? ''}</td>
              <td class="admin-details">{details(event.details)}</td>
            </tr>
          ))}
          <EmptyRow shown={events.data !== undefined && rows.length === 0} columns={6} text="No events match." />
        </tbody>
      </TableRegion>
      <Pager
        label="Pages of events"
        hasPrevious={pages.length > 1}
        hasNext={(events.data?.length ?? 0) > PAGE}
        onPrevious={() => setPages(pages.slice(0, -1))}
        onNext={() => setPages([...pages, rows[rows.length - 1]?.id])}
      />
    </section>
  );
}
