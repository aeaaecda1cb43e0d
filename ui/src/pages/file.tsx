// A file's page (issue 15, item 5): its facts (name, description, size, type, hashes, scan state,
// owner, dates), a preview, its revisions and, for those who may share it, the sharing dialog
// (item 6). The caller's own grant (docs/decisions.md 127) decides which controls it sees: none
// to edit without READ_WRITE, none to delete without READ_WRITE_DELETE, none to share without
// READ_WRITE_DELETE_SHARE. The server still checks each call; a refusal is shown as such.
import type { FileDetails, FilePermissions, Grant } from '@datafiles/sdk';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/errorMessage';
import { allows, namesOf, principalKey, saveBlob, sharingClient } from '../file/api';
import { CopyValue } from '../file/copyButton';
import { Description } from '../file/description';
import { formatBytes, formatTime, SCAN_STATE } from '../file/format';
import { Preview } from '../file/preview';
import { Revisions } from '../file/revisions';
import { href, navigate } from '../router';
import { filesClient } from '../session';
import { ShareDialog } from '../sharing/shareDialog';
import { UploadRevisionButton } from '../upload';

interface Loaded {
  file: FileDetails;
  grant: Grant;
  /** null: the caller may not read the permissions, so may not share. */
  permissions: FilePermissions | null;
  names: Map<string, string>;
}

export function FilePage(props: { token: string; id: number }) {
  const { token, id } = props;
  const client = useMemo(() => filesClient(token), [token]);
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<unknown>();
  const [sharing, setSharing] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>();

  const load = useCallback(async () => {
    setError(undefined);
    try {
      const [file, grant] = await Promise.all([client.getFileDetails(id, { expand: ['revisions', 'metadata'] }), sharingClient(token).myGrant(id)]);
      const permissions = allows(grant, 'READ_WRITE_DELETE_SHARE') ? await client.getFilePermissions(id) : null;
      const entries = permissions?.entries ?? [];
      const users = [file.responsibleUserId, ...file.revisions.map((revision) => revision.uploadUserId), file.currentRevision.uploadUserId];
      for (const entry of entries) if (entry.entityType === 'USER') users.push(Number(entry.entityId));
      const groups = entries.filter((entry) => entry.entityType === 'GROUP').map((entry) => Number(entry.entityId));
      setLoaded({ file, grant, permissions, names: await namesOf(token, users, groups) });
    } catch (failure) {
      setError(failure);
    }
  }, [client, id, token]);

  useEffect(() => {
    setLoaded(undefined);
    void load();
  }, [load]);

  if (!Number.isSafeInteger(id) || id < 1) return <h1>No such file</h1>;
  if (error !== undefined) {
    return (
      <>
        <h1>File {id}</h1>
        <ErrorMessage error={error} />
        <p>
          <a href={href('files')}>Back to the files</a>
        </p>
      </>
    );
  }
  if (loaded === undefined) return <p aria-busy="true">Loading file {id}…</p>;

  const { file, grant, permissions, names } = loaded;
  const revision = file.currentRevision;
  const owner = names.get(principalKey('USER', file.responsibleUserId)) ?? `user ${file.responsibleUserId}`;

  const download = async () => {
    setDownloadError(undefined);
    try {
      const { blob } = await client.downloadFile(file.dataFileId);
      saveBlob(blob, file.name.split('/').pop() || `file-${file.dataFileId}`);
    } catch (failure) {
      setDownloadError(failure);
    }
  };

  return (
    <article class="file-page">
      <p class="crumbs">
        <a href={href('files')}>Files</a> / {file.dataFileId}
      </p>
      <h1 class="file-name">{file.name}</h1>
      <div class="row">
        <button type="button" onClick={() => void download()}>
          Download
        </button>
        {allows(grant, 'READ_WRITE') && <UploadRevisionButton token={token} dataFileId={file.dataFileId} onDone={() => void load()} />}
        {permissions !== null && (
          <button type="button" onClick={() => setSharing(true)}>
            Share
          </button>
        )}
        {permissions !== null && <span class="muted">{permissions.publicAccess ? 'Public' : 'Private'}</span>}
      </div>
      <ErrorMessage error={downloadError} />

      <section aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <Description
          token={token}
          dataFileId={file.dataFileId}
          description={file.description ?? ''}
          editable={allows(grant, 'READ_WRITE')}
          onSaved={(description) => setLoaded({ ...loaded, file: { ...file, description } })}
        />
        <dl class="facts">
          <dt>Size</dt>
          <dd>
            {formatBytes(revision.sizeBytes)}
            {revision.sizeBytes >= 1024 && ` (${revision.sizeBytes.toLocaleString()} bytes)`}
          </dd>
          <dt>Type</dt>
          <dd>{revision.contentType}</dd>
          <dt>MD5</dt>
          <dd>
            <CopyValue label="MD5" value={revision.md5Hash} />
          </dd>
          <dt>SHA-256</dt>
          <dd>
            <CopyValue label="SHA-256" value={revision.sha256HashValue} />
          </dd>
          <dt>Virus scan</dt>
          <dd class={revision.scanState === 'INFECTED' ? 'danger-text' : undefined}>{SCAN_STATE[revision.scanState]}</dd>
          <dt>Owner</dt>
          <dd>{owner}</dd>
          <dt>Created</dt>
          <dd>{formatTime(file.datetimeCreated)}</dd>
          <dt>Modified</dt>
          <dd>{formatTime(revision.datetimeUploaded)}</dd>
        </dl>
      </section>

      <section aria-labelledby="preview-heading">
        <h2 id="preview-heading">Preview</h2>
        <Preview client={client} revision={revision} name={file.name} />
      </section>

      <Revisions
        client={client}
        file={file}
        names={names}
        grant={grant}
        onChanged={(fileGone) => {
          if (fileGone) navigate(href('files'));
          else void load();
        }}
      />

      {sharing && permissions !== null && (
        <ShareDialog
          token={token}
          client={client}
          file={file}
          permissions={permissions}
          names={names}
          onChanged={(fresh, freshNames) => setLoaded({ ...loaded, permissions: fresh, names: freshNames })}
          onClose={() => setSharing(false)}
        />
      )}
    </article>
  );
}
