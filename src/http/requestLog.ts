// One log line per request, written when it is answered, instead of Fastify's two ("incoming
// request" and "request completed"): logging was a fifth of the CPU of a small request (docs/history.md, issue 6).
// The line names the request (method, URL with any ?ryuu_sid masked by the logger's serializer),
// its status and how long it took; errors keep Fastify's own handling.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LogController } from 'fastify';

export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
