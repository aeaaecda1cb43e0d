// Random strings this service hands out (session ids, user tokens): base64url, so they need no
// escaping in a URL, and never starting with "-", so that one passed on a command line
// (`datafiles upload --resume ID`, `--token TOKEN`, or any other tool's) is not read as an
// option. One string in 64 would start with "-"; those are drawn again.
import { randomBytes } from 'node:crypto';

export function randomToken(bytes: number): string {
  for (;;) {
    const token = randomBytes(bytes).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}
