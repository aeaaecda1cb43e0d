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
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`autocannon on ${input.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return {
    requestsPerSecond: result.requests.total / (result.duration || input.seconds),
    p99: result.latency.p99,
    p50: result.latency.p50,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
