// One request of the fault history, sent to a running server picked at random, and judged: a
// 2xx or 4xx is an answer (the operation decides whether it is the right one); a 503 must have
// Domo's error shape; a connection error is allowed only from a server the nemesis killed while
// the request was in flight; any other 5xx, or no answer within a minute, is a violation. The
// last three leave the write uncertain.
import type { FaultCluster, ServerSlot } from './cluster.js';
import type { Seeded } from './seeded.js';
import type { Tally } from './model.js';
import { waitFor } from '../support/waitFor.js';

const HANG_MS = 60_000;

export type Outcome = { kind: 'answer'; status: number; body: Buffer; json: any } | { kind: 'uncertain'; why: string };

export interface Request {
  method: string;
  path: string;
  token: string;
  body?: BodyInit;
  headers?: Record<string, string>;
}

function pickLive(cluster: FaultCluster, rng: Seeded): ServerSlot {
  const live = cluster.live();
  // The nemesis never has every server down at once.
  return live.length > 0 ? rng.pick(live) : cluster.slots[0];
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString());
  } catch {
    return undefined;
  }
}

export async function send(cluster: FaultCluster, tally: Tally, rng: Seeded, op: string, request: Request): Promise<Outcome> {
  const slot = pickLive(cluster, rng);
  const server = slot.server;
  const generation = slot.generation;
  if (!server) return { kind: 'uncertain', why: 'no server up' };
  let response: Response;
  let body: Buffer;
  try {
    response = await fetch(`${server.url}${request.path}`, {
      method: request.method,
      body: request.body,
      headers: { 'X-DOMO-Ryuu-Session': request.token, ...request.headers },
      signal: AbortSignal.timeout(HANG_MS),
    });
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    if ((error as Error).name === 'TimeoutError') {
      tally.violation('hang', `${op} ${request.method} ${request.path} on server ${slot.index}: no answer within ${HANG_MS} ms`);
    } else if (slot.generation === generation && slot.server === server) {
      tally.violation('connection error', `${op} ${request.method} ${request.path}: ${cause} from server ${slot.index}, which was not killed`);
    }
    tally.count(tally.outcomes, `${op} cut (${cause})`);
    return { kind: 'uncertain', why: `cut: ${cause}` };
  }
  tally.count(tally.outcomes, `${op} ${response.status}`);
  const json = parse(body) as any;
  if (response.status === 503) {
    const shaped =
      json && json.status === 503 && json.statusReason === 'Service Unavailable' && typeof json.message === 'string' && typeof json.toe === 'string';
    if (!shaped) tally.violation('503 shape', `${op} ${request.method} ${request.path}: ${body.toString().slice(0, 300)}`);
    return { kind: 'uncertain', why: '503' };
  }
  if (response.status >= 500) {
    const evidence = await serverLines(server.output, json?.toe);
    tally.violation(
      `status ${response.status}`,
      `${op} ${request.method} ${request.path} on server ${slot.index}: ${body.toString().slice(0, 500)}${evidence}`,
    );
    return { kind: 'uncertain', why: String(response.status) };
  }
  return { kind: 'answer', status: response.status, body, json };
}

/** The server's log lines for one request id (its error and stack), so a 500 can be diagnosed from the report. */
async function serverLines(output: () => string, toe: unknown): Promise<string> {
  if (typeof toe !== 'string') return '';
  const lines = () =>
    output()
      .split('\n')
      .filter((line) => line.includes(toe));
  // The error line is written as the answer goes out; wait for it a little, never fail on it.
  await waitFor(() => lines().some((line) => line.includes('"level":50')), { timeoutMs: 2000, what: 'the error line' }).catch(() => undefined);
  const found = lines().map((line) => line.slice(0, 3000));
  return found.length === 0 ? '\n      (no server line names this request)' : `\n      server said: ${found.join('\n      ')}`;
}
