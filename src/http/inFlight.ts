// Caps on API requests in flight (issue 10 item 1; docs/decisions.md 31): all users together
// (503) and one user (429), both on this server only: each server counts its own requests, so
// on N servers behind a balancer a user may have up to N times the per-user cap in flight.
// A request counts from the moment it is admitted until its response closes (finished, or the
// connection dropped), so a stalled upload holds its place until the idle timeout ends it.
import type { FastifyReply } from 'fastify';
import { DomainError } from '../core/errors.js';

/** Retry-After on a refusal: in-flight requests end within seconds, or the idle timeout ends them. */
const RETRY_AFTER_SECONDS = '1';

export class InFlightRequests {
  private total = 0;
  private readonly perUser = new Map<number, number>();

  constructor(private readonly limits: { maxRequests: number; maxRequestsPerUser: number }) {}

  /** Counts the request against the server's cap, or throws SERVER_BUSY (503). */
  admit(reply: FastifyReply): void {
    if (this.total >= this.limits.maxRequests) {
      reply.header('retry-after', RETRY_AFTER_SECONDS);
      throw new DomainError(
        'SERVER_BUSY',
        `This server already has ${this.limits.maxRequests} requests in flight (its --max-requests); try again in a moment.`,
        { details: { limit: this.limits.maxRequests } },
      );
    }
    this.total += 1;
    whenClosed(reply, () => {
      this.total -= 1;
    });
  }

  /** Counts the request against its user's cap, or throws TOO_MANY_REQUESTS (429). */
  admitUser(userId: number, reply: FastifyReply): void {
    const count = this.perUser.get(userId) ?? 0;
    if (count >= this.limits.maxRequestsPerUser) {
      reply.header('retry-after', RETRY_AFTER_SECONDS);
      throw new DomainError(
        'TOO_MANY_REQUESTS',
        `You already have ${this.limits.maxRequestsPerUser} requests in flight on this server (its --max-requests-per-user); wait for some to finish.`,
        { details: { limit: this.limits.maxRequestsPerUser } },
      );
    }
    this.perUser.set(userId, count + 1);
    whenClosed(reply, () => {
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
    });
  }

  inFlight(): { total: number; users: number } {
    return { total: this.total, users: this.perUser.size };
  }
}

/**
 * Runs `release` once the response has closed. A client that went away while its request was
 * being authenticated (an await on the database) closed the response before it was admitted, and
 * 'close' is not emitted twice: listening for it then would hold the request's place for ever, and
 * enough of them would refuse the user (429) or the server (503) until a restart.
 */
function whenClosed(reply: FastifyReply, release: () => void): void {
  if (reply.raw.destroyed || reply.raw.closed) release();
  else reply.raw.once('close', release);
}
