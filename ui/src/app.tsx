// The shell: a header with the navigation and the signed-in user, and the view the hash route names
// (ui/src/router.ts). Views live in ui/src/pages; an unknown route shows the files.
import type { ComponentChildren } from 'preact';
import { href, useRoute, type Route } from './router';
import { storedToken } from './session';
import { FilesPage } from './pages/files';
import { FilePage } from './pages/file';
import { AdminPage } from './pages/admin';
import { SignInPage } from './pages/signIn';
import { UploadTray } from './upload';

function view(route: Route, token: string): ComponentChildren {
  const [first, second] = route.segments;
  if (first === 'files' && second !== undefined) return <FilePage token={token} id={Number(second)} />;
  if (first === 'admin') return <AdminPage token={token} section={second} />;
  return <FilesPage token={token} route={route} />;
}

export function App() {
  const route = useRoute();
  const token = storedToken();
  if (token === undefined) return <SignInPage />;
  return (
    <>
      <header class="bar">
        <a class="brand" href={href('files')}>
          datafiles
        </a>
        <nav aria-label="Main">
          <a href={href('files')}>Files</a>
          <a href={href('admin')}>Administration</a>
        </nav>
        <UploadTray token={token} />
      </header>
      <main id="main">{view(route, token)}</main>
    </>
  );
}
