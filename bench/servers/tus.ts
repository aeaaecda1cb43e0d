// The resumable-upload peer: @tus/server with its file store, as its README sets it up. It neither
// hashes nor fsyncs what it receives.
import { importPeer } from '../support/peers.js';

const directory = process.argv[2];
const { Server } = await importPeer('@tus/server');
const { FileStore } = await importPeer('@tus/file-store');
const server = new Server({ path: '/files', datastore: new FileStore({ directory }) });
const http = server.listen({ host: '127.0.0.1', port: 0 }, () => {
  console.log(`listening on http://127.0.0.1:${http.address().port}`);
});
process.on('SIGTERM', () => http.close(() => process.exit(0)));
