// A file's page (issue 15, item 5). Placeholder until the page lands.
import { UploadRevisionButton } from '../upload';

export function FilePage(props: { token: string; id: number }) {
  return (
    <>
      <h1>File {props.id}</h1>
      <UploadRevisionButton token={props.token} dataFileId={props.id} />
    </>
  );
}
