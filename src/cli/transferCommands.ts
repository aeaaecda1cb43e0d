// `datafiles upload` and `datafiles download`: the SDK's uploadLargeFile (parallel parts, retries,
// resume) and streaming download, with a live progress bar on a terminal.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { openAsBlob } from 'node:fs';
import { access, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_PART_SIZE, type UploadLargeFileResult } from '@datafiles/sdk';
import mime from 'mime-types';
import type { CommandIo } from './io.js';
import { idArgument, runClientCommand, type ClientCommandSpec } from './clientCommand.js';
import { UsageError } from './options.js';
import { createProgress, formatBytes, formatDuration, parseByteSize } from './progress.js';

export const UPLOAD: ClientCommandSpec = {
  usage: 'datafiles upload PATH [options]',
  summary:
    'Upload a file: a new file, or with --to a new revision of one. Files larger than one part go up in\n' +
    'parts, several at once, each checked by its SHA-256 and retried when it fails; Ctrl-C keeps the\n' +
    'session so --resume can finish it later without sending the parts already there.',
  positionals: { min: 1, max: 1 },
  options: {
    name: { type: 'string', value: 'NAME', description: "the file's name (default: the path's base name; for --to, the file's own)" },
    description: { type: 'string', value: 'TEXT', description: 'a description of the file' },
    public: { type: 'boolean', description: 'every user may read the new file' },
    to: { type: 'string', value: 'FILE_ID', description: 'upload a new revision of this file' },
    'content-type': { type: 'string', value: 'TYPE', description: "the file's MIME type (default: guessed from its extension)" },
    'part-size': { type: 'string', value: 'SIZE', description: `bytes per part, 5MiB–5GiB (default ${DEFAULT_PART_SIZE / 1024 / 1024}MiB)` },
    concurrency: { type: 'string', value: 'N', description: 'parts sent at once (default 4)' },
    retries: { type: 'string', value: 'N', description: 'retries of a failed part before the upload is aborted (default 4)' },
    resume: { type: 'string', value: 'SESSION_ID', description: 'finish an interrupted upload of the same file' },
  },
};

export const DOWNLOAD: ClientCommandSpec = {
  usage: 'datafiles download FILE_ID [options]',
  summary:
    "Download a file's current revision (or --revision R), checking its size and SHA-256. It is\n" +
    'saved under its own name in the current directory unless -o names a path (-o - for stdout).',
  positionals: { min: 1, max: 1 },
  options: {
    revision: { type: 'string', value: 'R', description: 'a given revision instead of the current one' },
    output: { type: 'string', short: 'o', value: 'PATH', description: 'where to save it ("-" for stdout)' },
    force: { type: 'boolean', description: 'overwrite PATH if it exists' },
  },
};

function positiveInteger(text: string | undefined, what: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text) || Number(text) > max) throw new UsageError(`${what} must be a whole number up to ${max}; got "${text}"`);
  return Number(text);
}

/** Runs `work` with an AbortSignal that Ctrl-C (SIGINT) aborts. */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new DOMException('Interrupted', 'AbortError'));
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export function uploadCommand(args: string[], io: CommandIo): Promise<number> {
  return runClientCommand(UPLOAD, args, io, async ({ client, values, positionals, json, print }) => {
    const filePath = positionals[0];
    const dataFileId = values.to === undefined ? undefined : idArgument(values.to as string, '--to');
    if (values.public === true && dataFileId !== undefined)
      throw new UsageError('--public applies to a new file; use "datafiles public FILE_ID on" for an existing one');
    const partSizeText = values['part-size'] as string | undefined;
    const partSize = partSizeText === undefined ? undefined : parseByteSize(partSizeText);
    if (partSizeText !== undefined && partSize === undefined)
      throw new UsageError(`--part-size must be a size such as 16MiB or 16777216; got "${partSizeText}"`);
    const concurrency = positiveInteger(values.concurrency as string | undefined, '--concurrency', 64);
    const retries = positiveInteger(values.retries as string | undefined, '--retries', 100);

    const info = await stat(filePath).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${filePath}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    if (!info.isFile()) throw new UsageError(`${filePath} is not a regular file`);
    const guessed = mime.lookup(filePath);
    const contentType = (values['content-type'] as string | undefined) ?? (guessed === false ? undefined : guessed);
    // A Blob that reads the file from disk a slice at a time; as a File it carries the base name,
    // which names a new file and lets the server guess a small file's type from its extension.
    const onDisk = await openAsBlob(filePath, contentType ? { type: contentType } : {});
    const file = new File([onDisk], path.basename(filePath), { type: onDisk.type });
    const name = (values.name as string | undefined) ?? (dataFileId === undefined ? path.basename(filePath) : undefined);

    const progress = createProgress({ label: 'upload  ', totalBytes: info.size, enabled: !json });
    const started = performance.now();
    let sessionId: string | undefined = values.resume as string | undefined;
    let result: UploadLargeFileResult;
    try {
      result = await interruptible((signal) =>
        client.uploadLargeFile(file, {
          name,
          description: values.description as string | undefined,
          public: Boolean(values.public),
          dataFileId,
          contentType,
          partSize,
          concurrency,
          retries,
          resumeSessionId: values.resume as string | undefined,
          onSession: (id) => {
            sessionId = id;
          },
          onProgress: ({ bytesSent }) => progress.update(bytesSent),
          signal,
        }),
      );
    } catch (error) {
      progress.stop();
      if (isAbort(error) && sessionId !== undefined) {
        io.err(
          `datafiles: interrupted; the parts sent so far are kept for a while. To finish:\n  datafiles upload ${JSON.stringify(filePath)} --resume ${sessionId}${partSize !== undefined ? ` --part-size ${partSize}` : ''}\n`,
        );
        return 130;
      }
      if (isAbort(error)) {
        io.err('datafiles: interrupted\n');
        return 130;
      }
      throw error;
    }
    progress.stop();
    const seconds = (performance.now() - started) / 1000;
    const reused = result.partsReused > 0 ? `, ${result.partsReused} of ${result.partsTotal} parts already there` : '';
    print(
      { ...result, name: name ?? null, path: filePath },
      `Uploaded ${filePath} (${formatBytes(result.sizeBytes)}) as file ${result.dataFileId}, revision ${result.revisionId}, in ${formatDuration(seconds)} (${formatBytes(result.sizeBytes / Math.max(seconds, 0.001))}/s${reused})`,
    );
  });
}

/** A name from the server made safe as a file name in the current directory. */
export function safeFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? fallback : cleaned;
}

export function downloadCommand(args: string[], io: CommandIo): Promise<number> {
  return runClientCommand(DOWNLOAD, args, io, async ({ client, values, positionals, json, print }) => {
    const dataFileId = idArgument(positionals[0], 'FILE_ID');
    const revisionId = values.revision === undefined ? undefined : idArgument(values.revision as string, '--revision');
    const output = values.output as string | undefined;
    const toStdout = output === '-';

    return interruptible(async (signal) => {
      const download = await client.downloadFile(dataFileId, { revisionId, as: 'stream', signal });
      const target = toStdout ? undefined : (output ?? safeFileName(download.filename, `file-${dataFileId}`));
      if (target !== undefined && values.force !== true) {
        const exists = await access(target).then(
          () => true,
          () => false,
        );
        if (exists) {
          await download.body.cancel().catch(() => undefined);
          throw new UsageError(`${target} exists; pass --force to overwrite it, or -o another path`);
        }
      }
      const progress = createProgress({ label: 'download', totalBytes: download.contentLength, enabled: !json && !toStdout });
      const sha256 = createHash('sha256');
      let received = 0;
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          sha256.update(chunk);
          received += chunk.length;
          progress.update(received);
          callback(null, chunk);
        },
      });
      const temporary =
        target === undefined ? undefined : path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.partial`);
      const source = Readable.fromWeb(download.body as import('node:stream/web').ReadableStream<Uint8Array>);
      try {
        await pipeline(source, measure, temporary === undefined ? process.stdout : createWriteStream(temporary, { flags: 'wx' }), { signal });
        progress.stop();
        const digest = sha256.digest('hex').toUpperCase();
        if (download.contentLength !== undefined && received !== download.contentLength) {
          throw new Error(`the download stopped after ${received} of ${download.contentLength} bytes`);
        }
        if (download.sha256 !== undefined && digest !== download.sha256) {
          throw new Error(`the bytes received hash to ${digest}, not the ${download.sha256} the server announced`);
        }
        if (temporary !== undefined && target !== undefined) await rename(temporary, target);
        if (toStdout) return 0;
        print(
          { dataFileId, revisionId: revisionId ?? null, path: target, sizeBytes: received, sha256: digest, contentType: download.contentType },
          `Downloaded file ${dataFileId}${revisionId !== undefined ? ` revision ${revisionId}` : ''} to ${target} (${formatBytes(received)}, SHA-256 checked)`,
        );
        return 0;
      } catch (error) {
        progress.stop();
        if (temporary !== undefined) await rm(temporary, { force: true });
        if (isAbort(error) || signal.aborted) {
          io.err('datafiles: interrupted\n');
          return 130;
        }
        if (error instanceof Error && !('status' in error)) {
          io.err(`datafiles: ${error.message}\n`);
          return 1;
        }
        throw error;
      }
    });
  });
}
