// A file's revisions, newest first: download any, delete one, make an old one current again.
// "Make current" uploads the old revision's bytes again as a new revision (docs/decisions.md 125):
// the Files API has no operation that promotes an old revision, and a new revision keeps the
// history honest (who restored what, when) and is scanned like any upload.
import type { DatafilesClient, FileDetails, FileRevision, Grant } from '@datafiles/sdk';
import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/errorMessage';
import { allows, principalKey, saveBlob } from './api';
import { formatBytes, formatTime } from './format';

interface Props {
  client: DatafilesClient;
  file: FileDetails;
  names: Map<string, string>;
  /** The caller's grant: what it may do to the revisions. */
  grant: Grant;
  /** Called after a change, with true when the file itself is gone (its last revision deleted). */
  onChanged(fileGone: boolean): void;
}

export function Revisions(props: Props) {
  const { client, file, names } = props;
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const revisions = file.revisions.length > 0 ? file.revisions : [file.currentRevision];
  const current = file.currentRevision.dataFileRevisionId;
  const mayWrite = allows(props.grant, 'READ_WRITE');
  const mayDelete = allows(props.grant, 'READ_WRITE_DELETE');

  const run = async (what: string, action: () => Promise<string>) => {
    setBusy(what);
    setError(undefined);
    setStatus('');
    try {
      setStatus(await action());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  };

  const download = (revision: FileRevision) =>
    run(`download ${revision.dataFileRevisionId}`, async () => {
      const { blob } = await client.downloadFile(file.dataFileId, { revisionId: revision.dataFileRevisionId });
      saveBlob(blob, file.name.split('/').pop() || `file-${file.dataFileId}`);
      return `Revision ${revision.dataFileRevisionId} downloaded.`;
    });

  const remove = (revision: FileRevision) => {
    const last = revisions.length === 1;
    const question = last
      ? `Delete revision ${revision.dataFileRevisionId}? It is the only one, so the file is deleted.`
      : `Delete revision ${revision.dataFileRevisionId}? This cannot be undone.`;
    if (!confirm(question)) return;
    return run(`delete ${revision.dataFileRevisionId}`, async () => {
      await client.deleteFile(file.dataFileId, { revisionId: revision.dataFileRevisionId });
      props.onChanged(last);
      return `Revision ${revision.dataFileRevisionId} deleted.`;
    });
  };

  const makeCurrent = (revision: FileRevision) =>
    run(`restore ${revision.dataFileRevisionId}`, async () => {
      const { blob } = await client.downloadFile(file.dataFileId, { revisionId: revision.dataFileRevisionId });
      const result = await client.uploadLargeFile(blob, { dataFileId: file.dataFileId, name: file.name, contentType: revision.contentType });
      props.onChanged(false);
      return `Revision ${revision.dataFileRevisionId} is current again, as revision ${result.revisionId}.`;
    });

  return (
    <section aria-labelledby="revisions-heading">
      <h2 id="revisions-heading">Revisions</h2>
      <div class="table-scroll">
        <table class="revisions">
          <thead>
            <tr>
              <th scope="col">Revision</th>
              <th scope="col">Uploaded</th>
              <th scope="col">By</th>
              <th scope="col">Size</th>
              <th scope="col">Scan</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {revisions.map((revision) => {
              const id = revision.dataFileRevisionId;
              const uploader = names.get(principalKey('USER', revision.uploadUserId)) ?? `user ${revision.uploadUserId}`;
              return (
                <tr key={id}>
                  <th scope="row">
                    {id}
                    {id === current && <span class="badge">current</span>}
                  </th>
                  <td>{formatTime(revision.datetimeUploaded)}</td>
                  <td>{uploader}</td>
                  <td>{formatBytes(revision.sizeBytes)}</td>
                  <td>{revision.scanState}</td>
                  <td class="actions">
                    <button
                      type="button"
                      class="small"
                      disabled={busy !== undefined}
                      onClick={() => void download(revision)}
                      aria-label={`Download revision ${id}`}
                    >
                      Download
                    </button>
                    {id !== current && mayWrite && (
                      <button
                        type="button"
                        class="small"
                        disabled={busy !== undefined}
                        onClick={() => void makeCurrent(revision)}
                        aria-label={`Make current revision ${id}`}
                      >
                        Make current
                      </button>
                    )}
                    {mayDelete && (
                      <button
                        type="button"
                        class="small danger"
                        disabled={busy !== undefined}
                        onClick={() => void remove(revision)}
                        aria-label={`Delete revision ${id}`}
                      >
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="status" role="status">
        {busy !== undefined ? 'Working…' : status}
      </p>
      <ErrorMessage error={error} />
    </section>
  );
}
