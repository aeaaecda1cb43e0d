// What a person reads when a call fails: the server's own message (its errors are written for
// people: "quota exceeded…", "infected…"), with a first sentence saying what kind of failure it
// is. Every view shows failures through describeError and <ErrorMessage> (components/).
import { isDatafilesError } from '@datafiles/sdk';

const KIND: Record<number, string> = {
  400: 'The request was refused',
  401: 'You are signed out',
  403: 'Not allowed',
  404: 'Not found',
  408: 'The server stopped waiting',
  409: 'Not possible right now',
  413: 'Too large',
  415: 'Unsupported file',
  429: 'Too many requests',
  503: 'The server is busy or a dependency is down',
  507: 'The server is out of space',
};

export function describeError(error: unknown): string {
  if (isDatafilesError(error)) {
    if (error.isNetworkError) return 'The server could not be reached. Check the connection and try again.';
    const kind = KIND[error.status] ?? (error.status >= 500 ? 'The server failed' : 'The request failed');
    const wait = error.retryAfterSeconds !== undefined ? ` Try again in ${error.retryAfterSeconds} s.` : '';
    return `${kind}: ${error.message}${wait}`;
  }
  if (error instanceof DOMException && error.name === 'AbortError') return 'Cancelled.';
  return error instanceof Error ? error.message : String(error);
}

/** The failure means the stored token no longer works: the page should sign out. */
export function isSignedOut(error: unknown): boolean {
  return isDatafilesError(error) && error.status === 401;
}
