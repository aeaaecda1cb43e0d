// The upload tray of the shell: an "Upload" button that opens a panel with a drop zone (its
// "Choose files" button opens the picker, so it works from the keyboard), the overall progress,
// every upload with its own, and the uploads a reload interrupted. Files dropped anywhere on the
// page go to it too.
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatBytes, formatDuration, formatRate } from './format';
import { UploadRow } from './item';
import { ProgressBar } from './progressBar';
import { useUploads, type UploadItem, type Uploads } from './uploads';

function hasFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}

/** Dropped files, without directories (a folder arrives as a File that cannot be read). */
function droppedFiles(event: DragEvent): File[] {
  const items = event.dataTransfer?.items;
  if (items && items.length > 0) {
    return Array.from(items)
      .filter((item) => item.kind === 'file' && item.webkitGetAsEntry?.()?.isDirectory !== true)
      .map((item) => item.getAsFile())
      .filter((file): file is File => file !== null);
  }
  return Array.from(event.dataTransfer?.files ?? []);
}

function Overall(props: { items: UploadItem[]; uploads: Uploads }) {
  const counted = props.items.filter((item) => item.status === 'queued' || item.status === 'uploading' || item.status === 'done');
  const busy = counted.some((item) => item.status === 'queued' || item.status === 'uploading');
  // "Clear finished" also shows when only cancelled uploads are left (no progress to show then).
  const finished = props.items.some((item) => item.status === 'done' || item.status === 'cancelled');
  if (counted.length === 0 && !finished) return null;
  let progress = null;
  if (counted.length > 0) {
    const total = counted.reduce((sum, item) => sum + item.identity.size, 0);
    const sent = counted.reduce((sum, item) => sum + (item.status === 'done' ? item.identity.size : item.bytesSent), 0);
    const active = counted.filter((item) => item.status === 'uploading');
    const rate = active.reduce((sum, item) => sum + (item.rate ?? 0), 0);
    const done = counted.filter((item) => item.status === 'done').length;
    const parts = [`${done} of ${counted.length} files`, `${formatBytes(sent)} of ${formatBytes(total)}`];
    if (active.length > 0 && rate > 0) parts.push(formatRate(rate), `${formatDuration((total - sent) / rate)} left`);
    const text = parts.join(' · ');
    progress = (
      <>
        <ProgressBar label="All uploads" value={sent} max={total} text={text} />
        <p class="upload-numbers">{text}</p>
      </>
    );
  }
  return (
    <div class="upload-overall">
      {progress}
      <div class="upload-actions">
        {busy && (
          <button type="button" onClick={() => props.uploads.cancelAll()}>
            Cancel all
          </button>
        )}
        {finished && (
          <button type="button" onClick={() => props.uploads.clearFinished()}>
            Clear finished
          </button>
        )}
      </div>
    </div>
  );
}

export function UploadPanel(props: { token: string }) {
  const uploads = useUploads(props.token);
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const items = uploads.items;
  const interrupted = items.filter((item) => item.status === 'interrupted');
  const others = items.filter((item) => item.status !== 'interrupted');
  const done = items.filter((item) => item.status === 'done').length;
  return (
    <>
      <div
        class={over ? 'upload-drop upload-drop-over' : 'upload-drop'}
        onDragOver={(event) => {
          if (!hasFiles(event)) return;
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          event.stopPropagation();
          setOver(false);
          uploads.add(droppedFiles(event));
        }}
      >
        <p>Drop files here, or</p>
        <button type="button" class="primary" onClick={() => input.current?.click()}>
          Choose files
        </button>
        <input
          ref={input}
          type="file"
          name="upload-files"
          multiple
          hidden
          aria-label="Files to upload"
          onChange={(event) => {
            const files = Array.from(event.currentTarget.files ?? []);
            event.currentTarget.value = '';
            uploads.add(files);
          }}
        />
      </div>
      <p class="visually-hidden" role="status">
        {done > 0 ? `${done} of ${items.length - interrupted.length} uploads finished.` : ''}
      </p>
      {interrupted.length > 0 && (
        <section aria-labelledby="upload-interrupted">
          <h3 id="upload-interrupted">Interrupted uploads</h3>
          <ul class="upload-list">
            {interrupted.map((item) => (
              <UploadRow key={item.id} item={item} uploads={uploads} />
            ))}
          </ul>
        </section>
      )}
      <Overall items={others} uploads={uploads} />
      {others.length > 0 && (
        <ul class="upload-list" aria-label="Uploads">
          {others.map((item) => (
            <UploadRow key={item.id} item={item} uploads={uploads} />
          ))}
        </ul>
      )}
    </>
  );
}

/** The "Upload" button of the shell and its panel; opens by itself when a reload left uploads to resume. */
export function UploadTray(props: { token: string }) {
  const uploads = useUploads(props.token);
  const open = uploads.panelOpen;
  const setOpen = (value: boolean) => uploads.showPanel(value);
  const active = uploads.items.filter((item) => item.status === 'uploading' || item.status === 'queued').length;

  // Files dropped anywhere on the page are uploaded, not opened by the browser in place of the page.
  useEffect(() => {
    const over = (event: DragEvent) => {
      if (hasFiles(event)) event.preventDefault();
    };
    const drop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      setOpen(true);
      uploads.add(droppedFiles(event));
    };
    addEventListener('dragover', over);
    addEventListener('drop', drop);
    return () => {
      removeEventListener('dragover', over);
      removeEventListener('drop', drop);
    };
  }, [uploads]);

  return (
    <div class="upload-tray">
      <button type="button" aria-expanded={open} aria-controls="upload-panel" onClick={() => setOpen(!open)}>
        {active > 0 ? `Uploads (${active})` : 'Upload'}
      </button>
      <section id="upload-panel" class="upload-panel" aria-label="Uploads" hidden={!open}>
        <div class="upload-panel-head">
          <h2>Upload files</h2>
          <button type="button" aria-label="Close the upload panel" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
        <UploadPanel token={props.token} />
      </section>
    </div>
  );
}
