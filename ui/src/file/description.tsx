// The file's description, editable in place: saved with `PUT /{id}?description=` and no body
// (docs/decisions.md 81), which needs READ_WRITE; a refusal is shown, not hidden.
import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/errorMessage';
import { changeMetadata } from './api';

/** The server keeps descriptions of any length; the form bounds what one person types. */
const MAX_DESCRIPTION = 4000;

export function Description(props: { token: string; dataFileId: number; description: string; editable: boolean; onSaved(description: string): void }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(props.description);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();

  const save = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      const details = await changeMetadata(props.token, props.dataFileId, { description: draft });
      props.onSaved(details.description ?? draft);
      setEditing(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  };

  if (!editing) {
    return (
      <div class="description">
        <p>{props.description === '' ? <span class="muted">No description.</span> : props.description}</p>
        {props.editable && (
          <button
            type="button"
            class="small"
            onClick={() => {
              setDraft(props.description);
              setEditing(true);
            }}
          >
            Edit description
          </button>
        )}
        <ErrorMessage error={error} />
      </div>
    );
  }
  return (
    <form class="description" onSubmit={(event) => void save(event)}>
      <label for="description-input">Description</label>
      <textarea
        id="description-input"
        rows={3}
        maxLength={MAX_DESCRIPTION}
        value={draft}
        onInput={(event) => setDraft((event.target as HTMLTextAreaElement).value)}
        autoFocus
      />
      <div class="row">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" disabled={saving} onClick={() => setEditing(false)}>
          Cancel
        </button>
      </div>
      <ErrorMessage error={error} />
    </form>
  );
}
