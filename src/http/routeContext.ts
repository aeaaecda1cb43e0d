// What every route receives: the domain services and the server's limits.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { DomainError } from '../core/errors.js';
import type { FileService } from '../core/files/fileService.js';
import type { ProductOperations } from '../core/files/productOperations.js';
import type { Caller } from '../core/model.js';
import type { PermissionService } from '../core/permissions/permissionService.js';
import type { SessionService } from '../core/sessions/sessionService.js';
import { bodyStallSignal } from './idleBody.js';
import type { QuotaService } from '../core/quotas/quotaService.js';
import type { ApiSurface } from './surfaces.js';

export interface ApiServices {
  files: FileService;
  product: ProductOperations;
  permissions: PermissionService;
  sessions: SessionService;
  /** Storage quotas and the free-space guard (issue 12; uploads only). */
  quotas?: QuotaService;
}

export interface RouteContext {
  services: ApiServices;
  limits: { maxFileBytes: number; maxPartBytes: number; listBatchRows: number };
  /** The surface (path prefix) the route is registered under, and where it differs (surfaces.ts). */
  surface: ApiSurface;
}

/**
 * A Fastify instance whose routes are typed from their TypeBox schemas: `request.params`, `query`
 * and `body` have the schema's static type, so no route casts them (issue 11, item 3).
 */
export type ApiInstance = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The typed view of a plugin's instance (what every RegisterRoute receives). */
export function typed(app: FastifyInstance): ApiInstance {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}

export type RegisterRoute = (app: ApiInstance, context: RouteContext) => void;

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

/** The authenticated caller (set by the API's onRequest hook). */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new DomainError('UNAUTHENTICATED');
  return request.caller;
}

/**
 * Aborts when the client goes away before the response is complete, or stops sending the body
 * for the idle timeout (a 408 DomainError, see idleBody.ts).
 */
export function clientGoneSignal(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const stalled = bodyStallSignal(request);
  if (stalled?.aborted) controller.abort(stalled.reason);
  else stalled?.addEventListener('abort', () => controller.abort(stalled.reason), { once: true });
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new DomainError('CLIENT_CLOSED'));
  });
  request.raw.once('error', (error) => controller.abort(new DomainError('CLIENT_CLOSED', undefined, { cause: error })));
  return controller.signal;
}
