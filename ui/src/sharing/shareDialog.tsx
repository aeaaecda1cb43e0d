// The sharing dialog (issue 15, item 6): who has what, a grant on the ladder for each entry, entries
// removed and added by name, and the public flag. A native modal <dialog> (docs/decisions.md 126):
// the page behind it is inert and Tab wraps inside it (focusTrap.ts); Escape closes it; its
// heading labels it.
// Each change is saved at once with PUT /{id}/permissions and the list read back from the server.
import type { DatafilesClient, FileDetails, FilePermissions, Grant, PermissionEntry, Principal } from '@datafiles/sdk';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/errorMessage';
import { namesOf, principalKey, sharingClient } from '../file/api';
import { FindPrincipal } from './findPrincipal';
import { keepFocusInside } from './focusTrap';
import { GRANT_LABEL, GRANTS } from './grants';

interface Props {
  token: string;
  client: DatafilesClient;
  file: FileDetails;
  permissions: FilePermissions;
  names: Map<string, string>;
  onChanged(permissions: FilePermissions, names: Map<string, string>): void;
  onClose(): void;
}

function GrantSelect(props: { id: string; label: string; value: Grant; disabled: boolean; onChange(grant: Grant): void }) {
  return (
    <select
      id={props.id}
      aria-label={props.label}
      value={props.value}
      disabled={props.disabled}
      onChange={(event) => props.onChange((event.target as HTMLSelectElement).value as Grant)}
    >
      {GRANTS.map((grant) => (
        <option key={grant} value={grant}>
          {GRANT_LABEL[grant]}
        </option>
      ))}
    </select>
  );
}

export function ShareDialog(props: Props) {
  const { client, file, permissions, names } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const principals = useMemo(() => sharingClient(props.token), [props.token]);
  const [newGrant, setNewGrant] = useState<Grant>('READ');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  /** The public flag as just clicked, shown while it is being saved. */
  const [publicDraft, setPublicDraft] = useState<boolean>();

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const isOwner = (entry: PermissionEntry) => entry.entityType === 'USER' && Number(entry.entityId) === file.responsibleUserId;
  const nameOf = (entry: PermissionEntry) =>
    names.get(principalKey(entry.entityType, entry.entityId)) ?? `${entry.entityType === 'USER' ? 'user' : 'group'} ${entry.entityId}`;

  const save = async (update: { publicAccess?: boolean; entries?: PermissionEntry[] }, done: string, known?: Principal) => {
    setSaving(true);
    setError(undefined);
    setStatus('');
    try {
      await client.updateFilePermissions(file.dataFileId, update);
      const fresh = await client.getFilePermissions(file.dataFileId);
      const merged = new Map(names);
      if (known) merged.set(principalKey(known.type, known.id), known.name);
      const missing = fresh.entries.filter((entry) => !merged.has(principalKey(entry.entityType, entry.entityId)));
      const ids = (type: 'USER' | 'GROUP') => missing.filter((entry) => entry.entityType === type).map((entry) => Number(entry.entityId));
      if (missing.length > 0) for (const [key, name] of await namesOf(props.token, ids('USER'), ids('GROUP'))) merged.set(key, name);
      props.onChanged(fresh, merged);
      setStatus(done);
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
      setPublicDraft(undefined);
    }
  };

  const setGrant = (target: PermissionEntry, grant: Grant) =>
    save({ entries: permissions.entries.map((entry) => (entry === target ? { ...entry, grant } : entry)) }, `${nameOf(target)}: ${GRANT_LABEL[grant]}.`);
  const remove = (target: PermissionEntry) => save({ entries: permissions.entries.filter((entry) => entry !== target) }, `${nameOf(target)} removed.`);
  const add = (principal: Principal) => {
    const entityId = String(principal.id);
    const others = permissions.entries.filter((entry) => !(entry.entityType === principal.type && entry.entityId === entityId));
    const entry: PermissionEntry = { entityType: principal.type, entityId, grant: newGrant, pass: 'NONE' };
    return save({ entries: [...others, entry] }, `${principal.name}: ${GRANT_LABEL[newGrant]}.`, principal);
  };

  return (
    <dialog ref={dialog} class="share-dialog" aria-labelledby="share-heading" onClose={props.onClose} onKeyDown={keepFocusInside}>
      <h2 id="share-heading">Share {file.name}</h2>
      <label class="check">
        <input
          type="checkbox"
          checked={publicDraft ?? permissions.publicAccess}
          disabled={saving}
          onChange={(event) => {
            const publicAccess = (event.target as HTMLInputElement).checked;
            setPublicDraft(publicAccess);
            void save({ publicAccess }, publicAccess ? 'Every signed-in user can now read it.' : 'No longer public.');
          }}
        />
        Public: every signed-in user can read it
      </label>
      <h3>Who has access</h3>
      <ul class="entries" aria-label="Who has access">
        {[...permissions.entries]
          .sort((a, b) => Number(isOwner(b)) - Number(isOwner(a)))
          .map((entry, index) => (
            <li key={principalKey(entry.entityType, entry.entityId)}>
              <span class="who">
                {nameOf(entry)} <span class="muted">({entry.entityType === 'USER' ? 'user' : 'group'})</span>
              </span>
              {isOwner(entry) ? (
                <span class="muted">Owner: {GRANT_LABEL[entry.grant]}</span>
              ) : (
                <>
                  <GrantSelect
                    id={`grant-${index}`}
                    label={`Access for ${nameOf(entry)}`}
                    value={entry.grant}
                    disabled={saving}
                    onChange={(grant) => void setGrant(entry, grant)}
                  />
                  <button type="button" class="small danger" disabled={saving} onClick={() => void remove(entry)} aria-label={`Remove ${nameOf(entry)}`}>
                    Remove
                  </button>
                </>
              )}
            </li>
          ))}
      </ul>
      <div class="add-principal">
        <label for="new-grant">Access for people you add</label>
        <GrantSelect id="new-grant" label="Access for people you add" value={newGrant} disabled={saving} onChange={setNewGrant} />
        <FindPrincipal principals={principals} disabled={saving} onPick={(principal) => void add(principal)} />
      </div>
      <p class="status" role="status">
        {saving ? 'Saving…' : status}
      </p>
      <ErrorMessage error={error} />
      <div class="row end">
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
