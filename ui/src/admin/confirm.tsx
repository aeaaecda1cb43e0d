// The confirmation asked before a destructive action: a native modal <dialog>, which keeps focus
// inside it, closes on Escape and makes the rest of the page inert, named by its title and
// described by its text. The confirm button runs the action; a failure is shown in the dialog and
// it stays open. Cancel has the initial focus, so an Enter typed by habit destroys nothing
// (docs/decisions.md 137).
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/errorMessage';

export interface ConfirmProps {
  title: string;
  /** What will happen; the dialog's description. */
  children: ComponentChildren;
  /** The confirm button's label, naming the action ("Delete alice"). */
  confirmLabel: string;
  /** False while the action cannot run yet (e.g. a required field is empty). */
  ready?: boolean;
  onConfirm(): Promise<void>;
  onClose(): void;
}

export function ConfirmDialog(props: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const textId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const { onClose } = props;

  useEffect(() => {
    dialog.current?.showModal();
    cancel.current?.focus();
  }, []);
  useEffect(() => {
    const element = dialog.current;
    element?.addEventListener('close', onClose);
    return () => element?.removeEventListener('close', onClose);
  }, [onClose]);

  async function confirm(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      dialog.current?.close();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} class="admin-dialog" aria-labelledby={titleId} aria-describedby={textId}>
      <form onSubmit={(event) => void confirm(event)}>
        <h2 id={titleId}>{props.title}</h2>
        <div id={textId}>{props.children}</div>
        <ErrorMessage error={error} />
        <div class="admin-actions">
          <button type="button" ref={cancel} onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={busy || props.ready === false}>
            {busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
