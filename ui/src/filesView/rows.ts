// The files view's rows (issue 15 item 3): what each column shows, and the filter, name search and
// sort over the whole list. The list API answers every file the caller may read in one pass of
// pages; filtering, searching and sorting 10,000 rows in the page takes milliseconds, so the view
// asks the server once and then never waits on it (docs/decisions.md 118).
import type { FileDetails } from '@datafiles/sdk';

export type Filter = 'all' | 'mine' | 'shared' | 'public';
export const FILTERS: { value: Filter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'mine', label: 'Mine' },
  { value: 'shared', label: 'Shared with me' },
  { value: 'public', label: 'Public' },
];

export type SortKey = 'name' | 'size' | 'type' | 'modified' | 'owner' | 'scan';
export const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'size', label: 'Size' },
  { key: 'type', label: 'Type' },
  { key: 'modified', label: 'Modified' },
  { key: 'owner', label: 'Owner' },
  { key: 'scan', label: 'Scan' },
];

export interface Row {
  id: number;
  name: string;
  /** Lower-cased once, for search and sort. */
  key: string;
  size: number;
  type: string;
  modified: number;
  ownerId: number;
  publicAccess: boolean;
  scan: string;
}

export function toRow(file: FileDetails): Row {
  const revision = file.currentRevision;
  return {
    id: file.dataFileId,
    name: file.name,
    key: file.name.toLowerCase(),
    size: revision.sizeBytes,
    type: revision.contentType,
    modified: revision.datetimeUploaded,
    ownerId: file.responsibleUserId,
    publicAccess: file.publicAccess === true,
    scan: revision.scanState,
  };
}

export interface View {
  filter: Filter;
  search: string;
  sort: SortKey;
  descending: boolean;
}

export function isFilter(value: string | null): value is Filter {
  return FILTERS.some((filter) => filter.value === value);
}

export function isSortKey(value: string | null): value is SortKey {
  return COLUMNS.some((column) => column.key === value);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * `shared`: the ids of the files shared with the user (GET …/details?sharedWithMe=true, loaded
 * when the filter first asks for them; docs/decisions.md 180): a file someone else merely made
 * public is not among them.
 */
export function visibleRows(
  rows: Row[],
  view: View,
  me: number | undefined,
  ownerName: (id: number) => string,
  shared: ReadonlySet<number> | undefined,
): Row[] {
  const needle = view.search.trim().toLowerCase();
  const kept = rows.filter((row) => {
    if (view.filter === 'mine' && row.ownerId !== me) return false;
    if (view.filter === 'shared' && !shared?.has(row.id)) return false;
    if (view.filter === 'public' && !row.publicAccess) return false;
    return needle === '' || row.key.includes(needle);
  });
  const compare: Record<SortKey, (a: Row, b: Row) => number> = {
    name: (a, b) => collator.compare(a.name, b.name),
    size: (a, b) => a.size - b.size,
    type: (a, b) => collator.compare(a.type, b.type),
    modified: (a, b) => a.modified - b.modified,
    owner: (a, b) => collator.compare(ownerName(a.ownerId), ownerName(b.ownerId)),
    scan: (a, b) => collator.compare(a.scan, b.scan),
  };
  const byKey = compare[view.sort];
  const sign = view.descending ? -1 : 1;
  // Ties keep the id order, so a sort is stable whatever the column.
  return kept.sort((a, b) => sign * (byKey(a, b) || a.id - b.id));
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(millis: number): string {
  return dateFormat.format(new Date(millis));
}

const SCAN_LABELS: Record<string, string> = {
  NOT_SCANNED: 'Not scanned',
  PENDING: 'Scanning',
  SAFE: 'Clean',
  INFECTED: 'Infected',
  FAILED: 'Scan failed',
};

export function scanLabel(state: string): string {
  return SCAN_LABELS[state] ?? state;
}
