// Builds the Fastify application: the Files API under Domo's two paths, health, metrics and the
// OpenAPI document. Everything it needs arrives as arguments; it opens nothing itself.
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError, isDomainError } from '../core/errors.js';
import type { FailedAuthLimiter } from '../core/principals/failedAuthLimiter.js';
import type { PrincipalService } from '../core/principals/principalService.js';
import { credentialOf, refuseCrossSiteWrites } from './authenticate.js';
import type { ConnectionLimits } from '../config.js';
import { registerAccessApi, type AccessApiOptions } from './access/accessApi.js';
import { requireScope } from './access/scopes.js';
import { registerAuditHooks, type AuditHookOptions } from './access/auditHooks.js';
import { parseQueryString } from './queryString.js';
import { OneLinePerRequest } from './requestLog.js';
import { API_SURFACES } from './surfaces.js';
import { clientErrorHandler, frameworkErrorHandler, requireOneHost } from './clientError.js';
import { watchIdleBodies } from './idleBody.js';
import { InFlightRequests } from './inFlight.js';
import { drainRefusedBodies } from './refusedBody.js';
import { codeResponse, errorToResponse, sendError } from './errorResponse.js';
import { registerHealth, type HealthCheck } from './health.js';
import { registerMetrics, type Metrics, type MetricsAccess } from './metrics.js';
import { registerUi, type UiOptions } from './ui.js';
import { typed, type RegisterRoute, type RouteContext } from './routeContext.js';
import { deleteFile } from './routes/deleteFile.js';
import { deleteRevision } from './routes/deleteRevision.js';
import { downloadFile } from './routes/downloadFile.js';
import { filePermissions } from './routes/filePermissions.js';
import { getFileDetails } from './routes/getFileDetails.js';
import { listFiles } from './routes/listFiles.js';
import { otherFeatures } from './routes/otherFeatures.js';
import { productRoutes } from './routes/productRoutes.js';
import { uploadFile } from './routes/uploadFile.js';
import { uploadRevision } from './routes/uploadRevision.js';

/** The spec's path, and Domo's Product API path: the same routes, with each surface's options (surfaces.ts). */
export const API_PREFIXES = API_SURFACES.map((surface) => surface.prefix);

/** Routes whose body is a JSON document (permissions, session bodies). */
const JSON_ROUTES: RegisterRoute[] = [listFiles, getFileDetails, downloadFile, deleteRevision, deleteFile, filePermissions, productRoutes, otherFeatures];
/** Routes whose body is streamed raw to storage: never parsed by Fastify (docs/decisions.md 7). */
const STREAMED_ROUTES: RegisterRoute[] = [uploadFile, uploadRevision];

export interface AppOptions {
  /** The web interface at / (src/http/ui.ts); false leaves it out. */
  ui?: UiOptions | false;
  logger: Logger;
  /** What every route receives; each surface's options are added per surface. */
  context: Omit<RouteContext, 'surface'>;
  principals: PrincipalService;
  health: HealthCheck;
  metrics: Metrics;
  /** Who may read GET /metrics (docs/decisions.md 36); loopback unless said otherwise. */
  metricsAccess?: MetricsAccess;
  /** Extra routes registered beside the Files API (e.g. multipart sessions), split the same way. */
  extraRoutes?: { json: RegisterRoute[]; streamed: RegisterRoute[] };
  /** JSON bodies larger than this are 413. */
  jsonBodyLimit?: number;
  /** docs/decisions.md 41: failed authentications per client address; none: no limit. */
  failedAuthLimiter?: FailedAuthLimiter;
  /** Whose X-Forwarded-For names the client (Fastify's trustProxy): false (default), true or proxy addresses. */
  trustProxy?: boolean | string;
  /** Timeouts and caps on connections and requests (config.ts, ConnectionLimits). */
  connections: ConnectionLimits;
  /** The admin and self-service API under /datafiles/v1 (issue 12). */
  access?: Omit<AccessApiOptions, 'authenticate'>;
  /** Audit events seen at the HTTP layer (issue 12). */
  audit?: AuditHookOptions;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const limits = options.connections;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    logController: new OneLinePerRequest(),
    bodyLimit: options.jsonBodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200, querystringParser: parseQueryString },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    // Refusals before routing (a malformed path, bytes that are not HTTP) are Domo-shaped too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler: clientErrorHandler(limits),
    trustProxy: options.trustProxy ?? false,
    // docs/decisions.md 30: Node's socket inactivity timeout is the idle timeout (see idleBody.ts).
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      // Node would refuse an HTTP/1.1 request without Host itself, with no body; requireOneHost does.
      requireHostHeader: false,
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node checks the two timeouts above (its default, 30 s, would let a 5 s limit
      // run to 35 s); the check walks the open connections, so not more than once a second.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
  });
  app.decorateRequest('caller', null);
  watchIdleBodies(app, limits.idleTimeoutMs);
  drainRefusedBodies(app, { maxBytes: limits.refusedBodyDrainBytes, maxMs: limits.idleTimeoutMs });
  const inFlight = new InFlightRequests(limits);

  // docs/decisions.md 4: "toe is the request's id, also sent as the X-Request-Id response header".
  // Callback-style hooks where no await is needed: an async hook costs a promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    try {
      requireOneHost(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    if (isDomainError(error) && error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
    return sendError(reply, errorToResponse(error, request));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, codeResponse('NOT_FOUND', request, `No route for ${request.method} ${request.url.split('?')[0].slice(0, 200)}.`)),
  );

  // docs/decisions.md 6: "ryuu.js sends Content-Type: application/json with no body on domo.get,
  // domo.delete and domo.post(url) (abort); that is valid."
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'datafiles: Domo Files API', version: '1', description: "A self-hostable implementation of Domo's Files API and multipart upload API." },
      components: { securitySchemes: { ryuuSession: { type: 'apiKey', in: 'header', name: 'X-DOMO-Ryuu-Session' } } },
      security: [{ ryuuSession: [] }],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (options.audit) registerAuditHooks(app, options.audit);
  registerHealth(app, options.health);
  registerMetrics(app, options.metrics, { access: options.metricsAccess ?? 'loopback', principals: options.principals });
  if (options.ui !== false) await registerUi(app, options.ui);

  const jsonRoutes = [...JSON_ROUTES, ...(options.extraRoutes?.json ?? [])];
  const streamedRoutes = [...STREAMED_ROUTES, ...(options.extraRoutes?.streamed ?? [])];

  // docs/decisions.md 20: every API request names its user by a token; no valid token → 401.
  // docs/decisions.md 31: the server's cap before the token is looked up, the user's after.
  // The same for Domo's paths and for the datafiles API beside them (access/accessApi.ts).
  const limiter = options.failedAuthLimiter;
  const authenticateRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    inFlight.admit(reply);
    // request.ip: the peer, or the client X-Forwarded-For names when trustProxy allows it.
    limiter?.check(request.ip);
    const credential = credentialOf(request);
    refuseCrossSiteWrites(request, credential?.source);
    try {
      request.caller = await options.principals.authenticate(credential?.token);
    } catch (error) {
      // A token that names no one is a failure (a guess, a revoked token); no token at all
      // costs no lookup and is not counted.
      if (credential !== undefined && isDomainError(error, 'UNAUTHENTICATED')) limiter?.failed(request.ip);
      throw error;
    }
    requireScope(request);
    inFlight.admitUser(request.caller.user.id, reply);
  };

  for (const surface of API_SURFACES) {
    const context: RouteContext = { ...options.context, surface };
    await app.register(
      async (api) => {
        api.addHook('onRequest', authenticateRequest);
        for (const register of jsonRoutes) register(typed(api), context);
        await api.register(async (streamed) => {
          // Bodies here are read by the route itself, as a stream, whatever their Content-Type.
          streamed.removeAllContentTypeParsers();
          streamed.addContentTypeParser('*', (_request, _payload, done) => done(null));
          for (const register of streamedRoutes) register(typed(streamed), context);
        });
      },
      { prefix: surface.prefix },
    );
  }
  if (options.access) await registerAccessApi(app, { files: options.context.services.files, ...options.access, authenticate: authenticateRequest });
  return app;
}

export { DomainError };
