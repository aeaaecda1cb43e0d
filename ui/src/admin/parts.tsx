// Small pieces the administration pages share: a table that scrolls inside its own focusable
// region on a narrow screen (the page itself never scrolls sideways), a status line announced to
// screen readers, and paging buttons.
import type { ComponentChildren } from 'preact';

export function TableRegion(props: { label: string; children: ComponentChildren }) {
  // Focusable so that a keyboard user can scroll it (axe: scrollable-region-focusable).
  return (
    <div class="admin-table-wrap" role="region" aria-label={props.label} tabIndex={0}>
      <table class="admin-table">{props.children}</table>
    </div>
  );
}

/** A polite live region: "Created group ops." */
export function Status(props: { message: string | undefined }) {
  return (
    <p class="admin-status" role="status">
      {props.message ?? ''}
    </p>
  );
}

/** The search box above a list of users or groups: names starting with what is typed. */
export function NameSearch(props: { id: string; label: string; query: string; onQuery(query: string): void }) {
  return (
    <div class="admin-toolbar">
      <label for={props.id}>{props.label}</label>
      <input id={props.id} type="search" placeholder="Name starts with…" value={props.query} onInput={(event) => props.onQuery(event.currentTarget.value)} />
    </div>
  );
}

/** A table's only row when it has nothing to show: `columns` wide, once the data has come. */
export function EmptyRow(props: { shown: boolean; columns: number; text: string }) {
  if (!props.shown) return null;
  return (
    <tr>
      <td colSpan={props.columns}>{props.text}</td>
    </tr>
  );
}

/**
 * Previous/next for a list read `pageSize + 1` rows at a time from `offset`: the extra row says
 * whether there is a next page.
 */
export function OffsetPager(props: { label: string; offset: number; pageSize: number; fetched: number; onOffset(offset: number): void }) {
  const { offset, pageSize } = props;
  return (
    <Pager
      label={props.label}
      hasPrevious={offset > 0}
      hasNext={props.fetched > pageSize}
      onPrevious={() => props.onOffset(Math.max(0, offset - pageSize))}
      onNext={() => props.onOffset(offset + pageSize)}
    />
  );
}

export function Pager(props: { label: string; hasPrevious: boolean; hasNext: boolean; onPrevious(): void; onNext(): void }) {
  if (!props.hasPrevious && !props.hasNext) return null;
  return (
    <nav class="admin-pager" aria-label={props.label}>
      <button type="button" disabled={!props.hasPrevious} onClick={props.onPrevious}>
        Previous
      </button>
      <button type="button" disabled={!props.hasNext} onClick={props.onNext}>
        Next
      </button>
    </nav>
  );
}
