// Creating a user (admin API POST /admin/users) and showing a secret the server sends once (the
// user's first token, a sign-in link): a read-only field, a copy button, and a note saying it will
// not be shown again.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { AdminClient, CreatedUser, LoginLink, TokenScope } from '@datafiles/sdk';
import { ErrorMessage } from '../components/errorMessage';
import { formatTime } from './format';

export function CreateUserForm(props: { admin: AdminClient; onCreated(created: CreatedUser): void }) {
  const ids = { name: useId(), admin: useId(), scope: useId(), expires: useId(), hint: useId() };
  const [name, setName] = useState('');
  const [isAdmin, setIsAdmin] = useState(false);
  const [scope, setScope] = useState<TokenScope>('write');
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const token = { label: 'first token (web interface)', scope: scope === 'admin' && !isAdmin ? 'write' : scope, expires: expires.trim() || undefined };
      const created = await props.admin.createUser({ name: name.trim(), isAdmin, token });
      setName('');
      setIsAdmin(false);
      setExpires('');
      props.onCreated(created);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="admin-form" aria-label="Create a user" onSubmit={(event) => void submit(event)}>
      <h3>Create a user</h3>
      <div class="admin-fields">
        <div class="admin-field">
          <label for={ids.name}>Name</label>
          <input id={ids.name} type="text" required maxLength={128} autocomplete="off" value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        <div class="admin-field">
          <label for={ids.scope}>First token's scope</label>
          <select id={ids.scope} value={scope} onChange={(event) => setScope(event.currentTarget.value as TokenScope)}>
            <option value="read">read</option>
            <option value="write">write</option>
            <option value="admin" disabled={!isAdmin}>
              admin
            </option>
          </select>
        </div>
        <div class="admin-field">
          <label for={ids.expires}>Expires after</label>
          <input
            id={ids.expires}
            type="text"
            maxLength={20}
            placeholder="the default"
            aria-describedby={ids.hint}
            value={expires}
            onInput={(event) => setExpires(event.currentTarget.value)}
          />
          <small id={ids.hint}>e.g. 30d, 12h, 1y; never (administrators only)</small>
        </div>
        <div class="admin-check">
          <input id={ids.admin} type="checkbox" checked={isAdmin} onChange={(event) => setIsAdmin(event.currentTarget.checked)} />
          <label for={ids.admin}>Instance administrator</label>
        </div>
      </div>
      <ErrorMessage error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create user'}
      </button>
    </form>
  );
}

/** A secret the server shows once (a token, a sign-in link): a read-only field, a copy button, a note. */
export interface Secret {
  title: string;
  /** What the person must know: that it is shown once, what it is for. */
  note: ComponentChildren;
  label: string;
  value: string;
}

export function SecretPanel(props: { secret: Secret; onDone(): void }) {
  const field = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const headingId = useId();
  const fieldId = useId();
  const [copied, setCopied] = useState<string | undefined>(undefined);
  const { title, note, label, value } = props.secret;
  // Focus moves to the news once, so a screen reader reads it and the copy button is one Tab away.
  useEffect(() => heading.current?.focus(), [value]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied to the clipboard.');
    } catch {
      // No clipboard access (an insecure origin, or denied): select it for the person to copy.
      field.current?.select();
      setCopied('Selected: press Ctrl+C (⌘C) to copy.');
    }
  }

  return (
    <section class="admin-secret" aria-labelledby={headingId}>
      <h3 id={headingId} tabIndex={-1} ref={heading}>
        {title}
      </h3>
      <p>{note}</p>
      <label for={fieldId}>{label}</label>
      <div class="admin-copy">
        <input id={fieldId} ref={field} type="text" readOnly value={value} spellcheck={false} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status" class="admin-status">
        {copied ?? ''}
      </p>
      <button type="button" onClick={props.onDone}>
        Done, I have copied it
      </button>
    </section>
  );
}

/** The first token of a user just created: the only time the server ever sends it. */
export function tokenSecret(created: CreatedUser): Secret {
  const { user, token } = created;
  return {
    title: `${user.name} was created`,
    note: (
      <>
        <strong>This token is shown only once.</strong> Copy it now and hand it to {user.name} safely: the server keeps only its hash and cannot show it again.
        If it is lost, create a new token for {user.name}.
      </>
    ),
    label: `Token of ${user.name}`,
    value: token,
  };
}

/** A sign-in link: it works once, until it expires. */
export function linkSecret(link: LoginLink): Secret {
  return {
    title: `Sign-in link for ${link.user.name}`,
    note: (
      <>
        <strong>This link is shown only once</strong> and signs {link.user.name} in once, until {formatTime(link.expiresAt)}. Send it to {link.user.name} only.
      </>
    ),
    label: `Sign-in link for ${link.user.name}`,
    value: link.url,
  };
}
