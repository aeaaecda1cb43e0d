// One upload in the panel: its name (a link once it is a file), state, progress with bytes, rate
// and time left, and what can be done with it (cancel, resume, pick the file again, discard).
import { useRef } from 'preact/hooks';
import { ErrorMessage } from '../components/errorMessage';
import { href } from '../router';
import { formatBytes, formatDuration, formatRate } from './format';
import { ProgressBar } from './progressBar';
import type { UploadItem, Uploads } from './uploads';

function progressText(item: UploadItem): string {
  const size = item.identity.size;
  const parts = [`${formatBytes(item.bytesSent)} of ${formatBytes(size)}`];
  if (item.status === 'uploading') {
    const rate = formatRate(item.rate);
    if (rate) parts.push(rate);
    const left = formatDuration(item.secondsLeft);
    if (left) parts.push(`${left} left`);
  }
  return parts.join(' · ');
}

const STATE: Record<UploadItem['status'], string> = {
  queued: 'Waiting',
  uploading: 'Uploading',
  done: 'Uploaded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

export function UploadRow(props: { item: UploadItem; uploads: Uploads }) {
  const { item, uploads } = props;
  const picker = useRef<HTMLInputElement>(null);
  const name = item.identity.name;
  const target = item.result?.dataFileId;
  const label = item.dataFileId !== undefined ? `${name} (new revision of file ${item.dataFileId})` : name;
  return (
    <li class={`upload-item upload-${item.status}`}>
      <div class="upload-head">
        <span class="upload-name">{target !== undefined ? <a href={href('files', target)}>{label}</a> : label}</span>
        <span class="upload-state">{STATE[item.status]}</span>
      </div>
      {item.status === 'interrupted' ? (
        <p class="upload-note">
          The page was closed or reloaded during this upload of {formatBytes(item.identity.size)}. Choose the same file again to send the rest.
        </p>
      ) : (
        <>
          <ProgressBar label={name} value={item.bytesSent} max={item.identity.size} text={progressText(item)} />
          <p class="upload-numbers">{progressText(item)}</p>
        </>
      )}
      {item.retrying && <p class="upload-note">{item.retrying}</p>}
      <ErrorMessage error={item.status === 'failed' || item.status === 'interrupted' ? item.error : undefined} />
      <div class="upload-actions">
        {(item.status === 'queued' || item.status === 'uploading') && (
          <button type="button" aria-label={`Cancel ${name}`} onClick={() => uploads.cancel(item.id)}>
            Cancel
          </button>
        )}
        {item.status === 'failed' && item.file && (
          <button type="button" aria-label={`${item.sessionId ? 'Resume' : 'Retry'} ${name}`} onClick={() => uploads.retry(item.id)}>
            {item.sessionId ? 'Resume' : 'Retry'}
          </button>
        )}
        {item.status === 'interrupted' && (
          <>
            <button type="button" aria-label={`Choose the file again: ${name}`} onClick={() => picker.current?.click()}>
              Choose the file again
            </button>
            <input
              ref={picker}
              type="file"
              hidden
              aria-label={`${name}, to resume`}
              data-resume={item.id}
              onChange={(event) => {
                const file = event.currentTarget.files?.[0];
                event.currentTarget.value = '';
                if (file) uploads.resumeWith(item.id, file);
              }}
            />
          </>
        )}
        {(item.status === 'interrupted' || item.status === 'failed') && (
          <button type="button" aria-label={`Discard ${name}`} onClick={() => uploads.discard(item.id)}>
            Discard
          </button>
        )}
      </div>
    </li>
  );
}
