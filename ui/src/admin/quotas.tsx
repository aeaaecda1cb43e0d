// #/admin/quotas?user=NAME: a user's storage usage and quota; setting it (in MiB, GiB or TiB),
// "no quota" (0) and clearing it back to the instance default (null). README "Administration",
// Quotas.
import { useId, useState } from 'preact/hooks';
import type { AdminClient, UserQuota } from '@datafiles/sdk';
import { ErrorMessage } from '../components/errorMessage';
import { href, navigate } from '../router';
import { formatBytes, SIZE_UNITS, toBytes, type SizeUnit } from './format';
import { useLoad } from './load';
import { Status } from './parts';
import { UserLookup } from './userLookup';

export function QuotasSection(props: { admin: AdminClient; user: string | undefined }) {
  const { admin } = props;
  const [name, setName] = useState(props.user ?? '');
  return (
    <section aria-labelledby="admin-quotas-title">
      <h2 id="admin-quotas-title">Quotas and usage</h2>
      <form
        class="admin-form admin-inline"
        aria-label="Choose a user"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(`${href('admin', 'quotas')}?user=${encodeURIComponent(name.trim())}`);
        }}
      >
        <UserLookup admin={admin} label="User" value={name} onInput={setName} required />
        <button type="submit">Show</button>
      </form>
      {props.user ? <UserQuotaPanel key={props.user} admin={admin} user={props.user} /> : <p>Choose a user to see their usage and quota.</p>}
    </section>
  );
}

function UserQuotaPanel(props: { admin: AdminClient; user: string }) {
  const { admin } = props;
  const ids = { amount: useId(), unit: useId(), heading: useId() };
  const loaded = useLoad((signal) => admin.getQuota(props.user, { signal }), [admin, props.user]);
  const [current, setCurrent] = useState<UserQuota | undefined>(undefined);
  const [amount, setAmount] = useState('');
  const [unit, setUnit] = useState<SizeUnit>('GiB');
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const quota = current ?? loaded.data;

  async function set(bytes: number | null, message: string) {
    setError(undefined);
    try {
      setCurrent(await admin.setQuota(props.user, bytes));
      setAmount('');
      setStatus(message);
    } catch (failure) {
      setError(failure);
    }
  }

  if (!quota) return <ErrorMessage error={loaded.error} />;
  const used = quota.usage.bytes + quota.usage.stagedBytes;
  const limit = quota.effectiveQuotaBytes;
  const own = quota.quotaBytes === null ? 'the instance default' : quota.quotaBytes === 0 ? 'no quota' : formatBytes(quota.quotaBytes);
  const typed = toBytes(amount, unit);
  return (
    <section class="admin-panel" aria-labelledby={ids.heading}>
      <h3 id={ids.heading}>{quota.name}</h3>
      <dl class="admin-facts">
        <dt>Files</dt>
        <dd>
          {quota.usage.files} ({quota.usage.revisions} revisions)
        </dd>
        <dt>Stored</dt>
        <dd>{formatBytes(quota.usage.bytes)}</dd>
        <dt>In open uploads</dt>
        <dd>{formatBytes(quota.usage.stagedBytes)}</dd>
        <dt>Quota set</dt>
        <dd>{own}</dd>
        <dt>Quota that applies</dt>
        <dd>{limit === null ? 'none' : formatBytes(limit)}</dd>
      </dl>
      {limit !== null ? (
        <p>
          <meter class="admin-meter" min={0} max={limit} value={Math.min(used, limit)} high={limit * 0.9} aria-label={`Usage of ${quota.name}`} />{' '}
          {formatBytes(used)} of {formatBytes(limit)} used
        </p>
      ) : null}
      <form
        class="admin-form admin-inline"
        aria-label={`Set the quota of ${quota.name}`}
        onSubmit={(event) => {
          event.preventDefault();
          if (typed !== undefined) void set(typed, `The quota of ${quota.name} is now ${formatBytes(typed)}.`);
        }}
      >
        <div class="admin-field">
          <label for={ids.amount}>New quota</label>
          <input
            id={ids.amount}
            type="number"
            min={0}
            step="any"
            inputMode="decimal"
            required
            value={amount}
            onInput={(event) => setAmount(event.currentTarget.value)}
          />
        </div>
        <div class="admin-field">
          <label for={ids.unit}>Unit</label>
          <select id={ids.unit} value={unit} onChange={(event) => setUnit(event.currentTarget.value as SizeUnit)}>
            {Object.keys(SIZE_UNITS).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="primary" disabled={typed === undefined}>
          Set quota
        </button>
      </form>
      <div class="admin-actions">
        <button type="button" onClick={() => void set(null, `${quota.name} now has the instance default quota.`)}>
          Clear (instance default)
        </button>
        <button type="button" onClick={() => void set(0, `${quota.name} now has no quota.`)}>
          No quota
        </button>
      </div>
      <Status message={status} />
      <ErrorMessage error={error} />
    </section>
  );
}
