// --trust-proxy of `datafiles serve`: which peers' X-Forwarded-For names the client. Parsed by
// src/config.ts with the other serve options; kept apart so that file stays small.
import { isIP } from 'node:net';

/** A proxy address: an IP, an IP/prefix, or one of proxy-addr's names for address ranges. */
function isProxyAddress(text: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(text)) return true;
  const [address, prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * --trust-proxy: false, true, or a comma-separated list of proxy addresses. No hop count: Fastify
 * cannot check the peer against one, and refuses to trust X-Forwarded-For with it.
 */
export function parseTrustProxy(text: string, fail: (message: string) => never): boolean | string {
  const value = text.trim().toLowerCase();
  if (value === 'false') return false;
  if (value === 'true') return true;
  const addresses = value.split(',').map((part) => part.trim());
  if (addresses.every(isProxyAddress)) return addresses.join(',');
  return fail(`--trust-proxy must be false, true or comma-separated proxy addresses/CIDRs (got ${JSON.stringify(text)})`);
}
