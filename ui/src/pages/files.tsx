// The files view (issue 15, item 3). Placeholder until the view lands.
import type { Route } from '../router';

export function FilesPage(_props: { token: string; route: Route }) {
  return <h1>Files</h1>;
}
