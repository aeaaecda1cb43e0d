// "Upload a new revision" for a file's page: picks one file and sends it as the next revision of
// dataFileId through the page's upload queue (so it shows in the upload panel, large files go in
// resumable parts, and a reload can resume it). Shows its own progress and failure beside the button.
import type { UploadLargeFileResult } from '@datafiles/sdk';
import { useRef, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/errorMessage';
import { formatBytes } from './format';
import { ProgressBar } from './progressBar';
import { useUploads } from './uploads';

export function UploadRevisionButton(props: { token: string; dataFileId: number; onDone?: (result: UploadLargeFileResult) => void }) {
  const uploads = useUploads(props.token);
  const input = useRef<HTMLInputElement>(null);
  const [itemId, setItemId] = useState<number>();
  const item = uploads.items.find((candidate) => candidate.id === itemId);
  return (
    <div class="upload-revision">
      <button type="button" onClick={() => input.current?.click()} disabled={item?.status === 'uploading' || item?.status === 'queued'}>
        Upload a new revision
      </button>
      <input
        ref={input}
        type="file"
        name="upload-revision"
        hidden
        aria-label="File for the new revision"
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          event.currentTarget.value = '';
          if (!file) return;
          uploads.add([file], { dataFileId: props.dataFileId, onDone: props.onDone });
          setItemId(uploads.items[uploads.items.length - 1].id);
        }}
      />
      {item && (item.status === 'uploading' || item.status === 'queued') && (
        <ProgressBar
          label={`New revision: ${item.identity.name}`}
          value={item.bytesSent}
          max={item.identity.size}
          text={`${formatBytes(item.bytesSent)} of ${formatBytes(item.identity.size)}`}
        />
      )}
      {item?.status === 'done' && <p role="status">New revision uploaded.</p>}
      {item?.status === 'failed' && <ErrorMessage error={item.error} />}
    </div>
  );
}
