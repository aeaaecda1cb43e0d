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
