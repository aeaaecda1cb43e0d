// `datafiles serve [--host 127.0.0.1] [--port 8080] [--data ./data] …`
import { parseServeConfig, SERVE_OPTIONS } from '../config.js';
import { collectGarbageWithoutIncrementalMarking } from '../server/garbageCollection.js';
import { startServer } from '../server/startServer.js';
import { optionsHelp, parseCommand } from './options.js';
import type { CommandIo } from './io.js';

export const SERVE_HELP = `Usage: datafiles serve [options]

Serves Domo's Files API under /domo/data-files/v1 (and /api/data/v1/data-files).
On an empty instance it creates the user "admin" and prints its token once, or registers
DATAFILES_ADMIN_TOKEN as that token when the variable is set.

Options:
${optionsHelp(SERVE_OPTIONS)}`;

export async function serveCommand(args: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommand(args, SERVE_OPTIONS);
  if (parsed.help) {
    io.out(`${SERVE_HELP}\n`);
    return 0;
  }
  const config = parseServeConfig(parsed.values, io.env);
  collectGarbageWithoutIncrementalMarking();
  // The handlers are in place before the server announces it is listening: a SIGTERM sent the
  // moment "listening on" appears must drain, not kill. One that arrives during start-up is kept
  // and acted on as soon as the server is up.
  let early: string | undefined;
  let onSignal: ((signal: string) => void) | undefined;
  const handle = (signal: string) => (onSignal ? onSignal(signal) : (early ??= signal));
  process.once('SIGTERM', () => handle('SIGTERM'));
  process.once('SIGINT', () => handle('SIGINT'));
  const server = await startServer(config, { announce: (text) => io.out(text) });
  await new Promise<void>((resolve) => {
    onSignal = (signal: string) => {
      server.logger.info({ signal }, 'draining in-flight requests, then stopping');
      server.stop().then(resolve, (error) => {
        server.logger.error({ err: error }, 'error while stopping');
        resolve();
      });
    };
    if (early !== undefined) onSignal(early);
  });
  server.logger.info('stopped');
  return 0;
}
