// The files table: a header of sort buttons (aria-sort on the sorted column) and only the rows in
// the scrolled window (virtualRows.ts), with spacer rows keeping the scroll height of them all.
// aria-rowcount/aria-rowindex tell assistive technology the real size and position.
import { useRef } from 'preact/hooks';
import { href } from '../router';
import { ROW_HEIGHT, useWindow } from './virtualRows';
import { COLUMNS, formatDate, formatSize, scanLabel, type Row, type SortKey, type View } from './rows';

interface Props {
  rows: Row[];
  total: number;
  view: View;
  me: number | undefined;
  ownerName: (id: number) => string;
  onSort: (sort: SortKey, descending: boolean) => void;
}

export function FilesTable(props: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const { first, last } = useWindow(scroller, props.rows.length);
  const { view } = props;
  return (
    <div class="files-scroller" ref={scroller}>
      <table class="files-table" aria-label="Files" aria-rowcount={props.rows.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((column) => {
              const sorted = view.sort === column.key;
              return (
                <th key={column.key} scope="col" class={`col-${column.key}`} aria-sort={sorted ? (view.descending ? 'descending' : 'ascending') : undefined}>
                  <button type="button" onClick={() => props.onSort(column.key, sorted ? !view.descending : false)}>
                    {column.label}
                    <span aria-hidden="true" class="sort-mark">
                      {sorted ? (view.descending ? ' ▼' : ' ▲') : ''}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {first > 0 && (
            <tr class="spacer" aria-hidden="true" style={{ height: `${first * ROW_HEIGHT}px` }}>
              <td colSpan={COLUMNS.length} />
            </tr>
          )}
          {props.rows.slice(first, last).map((row, index) => (
            <tr key={row.id} aria-rowindex={first + index + 2}>
              <td class="col-name">
                <a href={href('files', row.id)}>{row.name}</a>
              </td>
              <td class="col-size">{formatSize(row.size)}</td>
              <td class="col-type">{row.type}</td>
              <td class="col-modified">{formatDate(row.modified)}</td>
              <td class="col-owner">{props.ownerName(row.ownerId)}</td>
              <td class={`col-scan scan-${row.scan.toLowerCase()}`}>{scanLabel(row.scan)}</td>
            </tr>
          ))}
          {last < props.rows.length && (
            <tr class="spacer" aria-hidden="true" style={{ height: `${(props.rows.length - last) * ROW_HEIGHT}px` }}>
              <td colSpan={COLUMNS.length} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
