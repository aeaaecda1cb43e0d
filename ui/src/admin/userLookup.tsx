// A text field for a user's name that suggests existing users as one types (the admin API's name
// prefix search, shown through a <datalist>, which browsers make keyboard- and screen-reader-
// operable). The admin API takes a name wherever it takes a user, so the typed name is the value.
import { useEffect, useId, useState } from 'preact/hooks';
import type { AdminClient } from '@datafiles/sdk';

export interface UserLookupProps {
  admin: AdminClient;
  label: string;
  value: string;
  onInput(value: string): void;
  /** Users not to suggest (e.g. the one being deleted). */
  exclude?: string[];
  required?: boolean;
}

export function UserLookup(props: UserLookupProps) {
  const inputId = useId();
  const listId = useId();
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const { admin, value } = props;

  useEffect(() => {
    const prefix = value.trim();
    if (prefix === '') return setSuggestions([]);
    const controller = new AbortController();
    // Ask once typing pauses; an older answer is dropped by the abort.
    const timer = setTimeout(() => {
      admin.listUsers({ q: prefix, limit: 10, signal: controller.signal }).then(
        (users) => setSuggestions(users.filter((user) => user.disabledAt === null).map((user) => user.name)),
        () => setSuggestions([]),
      );
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [admin, value]);

  const shown = suggestions.filter((name) => !(props.exclude ?? []).includes(name));
  return (
    <div class="admin-field">
      <label for={inputId}>{props.label}</label>
      <input
        id={inputId}
        type="text"
        list={listId}
        autocomplete="off"
        spellcheck={false}
        required={props.required}
        value={value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      <datalist id={listId}>
        {shown.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
    </div>
  );
}
