// The only place errors become HTTP responses (docs/architecture.md, "Errors"), in Domo's shape
// {"status":404,"statusReason":"Not Found","message":"…","toe":"…"} (docs/decisions.md 4).
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOGUE, isDomainError, type ErrorCode } from '../core/errors.js';

export interface DomoError {
  status: number;
  statusReason: string;
  message: string;
  toe: string;
  [detail: string]: unknown;
}

const EXTRA_REASONS: Record<number, string> = { 499: 'Client Closed Request' };

export function statusReason(status: number): string {
  return STATUS_CODES[status] ?? EXTRA_REASONS[status] ?? 'Error';
}

export function domoError(input: { status: number; message: string; toe: string; details?: Record<string, unknown> }): DomoError {
  return { ...input.details, status: input.status, statusReason: statusReason(input.status), message: input.message, toe: input.toe };
}

/** Fastify's own client errors (bad JSON, body too large, unsupported type…) keep their 4xx status. */
function fastifyClientError(error: FastifyError): { status: number; message: string } | undefined {
  if (error.validation) return { status: 400, message: `Invalid request: ${error.message}` };
  const status = error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, message: ERROR_CATALOGUE.UNSUPPORTED_MEDIA_TYPE.message };
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, message: ERROR_CATALOGUE.PAYLOAD_TOO_LARGE.message };
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return { status: 400, message: 'The body is not valid JSON.' };
  return { status, message: error.message };
}

export function errorToResponse(error: unknown, request: FastifyRequest): DomoError {
  if (isDomainError(error)) {
    if (error.status >= 500) request.log.error({ err: error }, error.message);
    return domoError({ status: error.status, message: error.message, toe: request.id, details: error.details });
  }
  const clientError = fastifyClientError(error as FastifyError);
  if (clientError) return domoError({ ...clientError, toe: request.id });
  // "Internal errors never leak stack traces": the log has it, the client gets the request id.
  request.log.error({ err: error }, 'unhandled error');
  return domoError({ status: 500, message: ERROR_CATALOGUE.INTERNAL.message, toe: request.id });
}

export function sendError(reply: FastifyReply, body: DomoError): FastifyReply {
  // A detail asking the client to come back later (a revision waiting for its virus scan).
  if (typeof body.retryAfterSeconds === 'number') reply.header('retry-after', String(body.retryAfterSeconds));
  return reply.code(body.status).header('content-type', 'application/json; charset=utf-8').send(body);
}

export function codeResponse(code: ErrorCode, request: FastifyRequest, message?: string): DomoError {
  const entry = ERROR_CATALOGUE[code];
  return domoError({ status: entry.status, message: message ?? entry.message, toe: request.id });
}
