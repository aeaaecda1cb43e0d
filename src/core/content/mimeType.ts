// A media type as RFC 9110 §8.3.1 writes it: type "/" subtype, each a token, optionally followed
// by parameters (token or quoted-string values). The `content-type` package (jshttp, the one
// Express uses) does the parsing; docs/decisions.md 35 narrows it to what is safe to send back as
// a header: printable ASCII, spaces and tabs only. (RFC 9110 still allows obs-text, bytes 0x80-0xFF,
// in a quoted-string, and the package allows a vertical tab there; Node refuses a header holding
// characters above 0xFF or controls other than a tab, which made such a stored type unservable.)
import { parse } from 'content-type';

export const MAX_CONTENT_TYPE_LENGTH = 255;

/** The fallback a download sends when a stored type is not a valid media type (older rows). */
export const SAFE_CONTENT_TYPE = 'application/octet-stream';

const PRINTABLE_ASCII = /^[\t\x20-\x7e]*$/;

export function isValidMimeType(value: string): boolean {
  if (value.length > MAX_CONTENT_TYPE_LENGTH || !PRINTABLE_ASCII.test(value)) return false;
  try {
    parse(value.trim());
    return true;
  } catch {
    return false;
  }
}

/** The type a download may carry in its Content-Type header: the stored one if valid, else the fallback. */
export function servableContentType(stored: string): string {
  return isValidMimeType(stored) ? stored : SAFE_CONTENT_TYPE;
}
