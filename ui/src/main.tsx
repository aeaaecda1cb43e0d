// The web interface's entry point: mounts the shell (ui/src/app.tsx) into the page that the server
// serves at / (src/http/ui.ts). docs/architecture.md, "The web interface".
import { render } from 'preact';
import { App } from './app';

const root = document.getElementById('app');
if (root) render(<App />, root);
