// autocannon, from bench/.peers: requests per second and the 99th percentile latency.
import { importPeer } from './peers.js';

export interface LoadResult {
  requestsPerSecond: number;
  /** Milliseconds. */
  p99: number;
  p50: number;
  non2xx: number;
  errors: number;
}

export async function runAutocannon(input: { url: string; connections: number; seconds: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const { default: autocannon } = await importPeer('autocannon');
  const result = await autocannon({ url: input.url, connections: input.connections, duration: input.seconds, headers: input.headers });
  const failed = result.non2xx + result.errors;
  // A few refusals under overload (a 503 when the database pool's wait runs out) are the server
  // doing its job; they are reported and left out of the rate. More than 1% means the figure is
  // not one of serving requests, and the run stops.
  if (failed > 0) {
    const statuses = Object.entries(result.statusCodeStats ?? {})
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, stat]) => `${(stat as { count: number }).count} × ${code}`)
      .join(', ');
    const line = `autocannon on ${input.url}: ${result.non2xx} non-2xx answers (${statuses || 'no status'}), ${result.errors} errors of ${result.requests.total}`;
    if (failed > result.requests.total / 100) throw new Error(line);
    process.stdout.write(`  note: ${line}; left out of the rate\n`);
  }
  return {
    requestsPerSecond: (result.requests.total - failed) / (result.duration || input.seconds),
    p99: result.latency.p99,
    p50: result.latency.p50,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
