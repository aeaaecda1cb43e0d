// GET /healthz: 200 when every dependency answers, 503 naming the ones that do not (so an
// operator or a load balancer sees which dependency is down).
import type { FastifyInstance } from 'fastify';

export type DependencyState = 'ok' | 'down';

export interface HealthCheck {
  /** Each dependency's state, e.g. {metadata: 'ok', blobs: 'down'}. */
  check(): Promise<Record<string, DependencyState>>;
}

export function registerHealth(app: FastifyInstance, health: HealthCheck): void {
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const dependencies = await health.check();
    const healthy = Object.values(dependencies).every((state) => state === 'ok');
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'unavailable', dependencies });
  });
}

/** Runs a probe with a deadline; a probe that fails or hangs counts as down. */
export async function probe(run: () => Promise<void>, timeoutMs: number): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('health probe timed out')), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
