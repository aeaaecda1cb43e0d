// Reads the `file` field of a multipart form as a stream (spec: "The name given to the file to be
// appended to the FormData object is `file`"), with busboy doing the parsing.
//
// The stream handed out ends only once the whole form has been parsed, so a body cut off after
// the file's bytes but before the closing boundary still fails the upload (no partial file).
import type { IncomingMessage } from 'node:http';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import busboy from 'busboy';
import { DomainError } from '../core/errors.js';

export const FILE_FIELD = 'file';

export interface FormFile {
  stream: Readable;
  filename?: string;
  mimeType?: string;
}

function isMultipartForm(contentType: string | undefined): boolean {
  return /^multipart\/form-data\s*;.*boundary=/i.test(contentType ?? '');
}

/**
 * Resolves with the file field as soon as its headers are parsed; rejects with NOT_MULTIPART,
 * MISSING_FILE_FIELD, TRUNCATED_BODY or PAYLOAD_TOO_LARGE.
 */
export function readFormFile(request: IncomingMessage, options: { maxFileBytes: number; signal?: AbortSignal }): Promise<FormFile> {
  const contentType = request.headers['content-type'];
  if (!isMultipartForm(contentType)) return Promise.reject(new DomainError('NOT_MULTIPART'));

  return new Promise<FormFile>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { fileSize: options.maxFileBytes, fields: 100, parts: 200, fieldSize: 64 * 1024 } });
    } catch (error) {
      reject(new DomainError('NOT_MULTIPART', undefined, { cause: error }));
      return;
    }
    // Enough to keep the parser going while the reader writes; every upload in flight holds it, and
    // the reader (the content meter, then the blob store) buffers a little more (docs/history.md, issue 6: peak RSS).
    const output = new PassThrough({ highWaterMark: 256 * 1024 });
    // Whoever consumes the stream sees its errors; this keeps an unconsumed stream (a request
    // refused before its body was read) from turning a client's disconnect into a crash.
    output.on('error', () => {});
    let found = false;
    let fileEnded = false;
    let formEnded = false;
    // The output ends when both the file's bytes and the rest of the form are through.
    const endIfComplete = () => {
      if (fileEnded && formEnded) output.end();
    };

    const fail = (error: DomainError) => {
      if (found) output.destroy(error);
      else reject(error);
    };

    parser.on('file', (field, stream, info) => {
      if (field !== FILE_FIELD || found) {
        stream.resume(); // other files are not ours to keep
        return;
      }
      found = true;
      stream.on('limit', () => fail(new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than the ${options.maxFileBytes} bytes this server accepts.`)));
      stream.on('error', (error) => fail(new DomainError('TRUNCATED_BODY', undefined, { cause: error })));
      stream.on('end', () => {
        fileEnded = true;
        endIfComplete();
      });
      stream.pipe(output, { end: false });
      resolve({ stream: output, filename: info.filename || undefined, mimeType: info.mimeType || undefined });
    });
    // The body stopped arriving (idleBody.ts): fail with the signal's 408, whether or not the
    // file's headers came.
    options.signal?.addEventListener('abort', () => fail(options.signal?.reason as DomainError), { once: true });
    parser.on('partsLimit', () => fail(new DomainError('BAD_REQUEST', 'The form has too many parts.')));
    parser.on('fieldsLimit', () => fail(new DomainError('BAD_REQUEST', 'The form has too many fields.')));

    pipeline(request, parser, (error) => {
      if (error) {
        // Only the request's own errors mean the client went away. (pipeline() destroys every
        // stream on any error, so `request.destroyed` is also true when busboy refused the body.)
        const code = (error as NodeJS.ErrnoException).code;
        const aborted = code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
        fail(
          aborted
            ? new DomainError('CLIENT_CLOSED', undefined, { cause: error })
            : new DomainError(/Unexpected end of form/i.test(error.message) ? 'TRUNCATED_BODY' : 'NOT_MULTIPART', undefined, { cause: error }),
        );
      } else if (!found) {
        reject(new DomainError('MISSING_FILE_FIELD'));
      } else {
        formEnded = true;
        endIfComplete();
      }
    });
  });
}
