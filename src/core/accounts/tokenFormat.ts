// The shape of the tokens this service issues (docs/decisions.md 60), modelled on GitHub's
// (`ghp_` + 30 random base62 characters + a 6-character base62 CRC32 of them): `dfp_`, 32 random
// base62 characters (190 bits), then the CRC32 of those 32 characters in 6 base62 characters. The
// prefix lets secret scanners and people recognise a leaked datafiles token; the checksum lets a
// scanner (and authentication) tell a real one from a look-alike without asking the server.
// Tokens issued before token records (43 base64url characters) have neither, and keep working.
import * as crypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'dfp_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
export const TOKEN_LENGTH = TOKEN_PREFIX.length + RANDOM_LENGTH + CHECKSUM_LENGTH;

// Hand-written: zlib.crc32 exists only from Node 20.15 and this project supports 20.10; the
// table-driven CRC-32 (IEEE 802.3, as zlib's) is ten lines.
const CRC_TABLE = Array.from({ length: 256 }, (_unused, index) => {
  let value = index;
  for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value >>> 0;
});

export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function base62(value: number, length: number): string {
  let text = '';
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) text = BASE62[rest % 62] + text;
  return text.padStart(length, '0');
}

function randomBase62(length: number): string {
  let text = '';
  while (text.length < length) {
    // 248 = 4 × 62: bytes at or above it are dropped, so every character is equally likely.
    for (const byte of randomBytes(length * 2)) if (byte < 248 && text.length < length) text += BASE62[byte % 62];
  }
  return text;
}

export function newTokenSecret(): string {
  const random = randomBase62(RANDOM_LENGTH);
  return `${TOKEN_PREFIX}${random}${base62(crc32(random), CHECKSUM_LENGTH)}`;
}

/** 'valid' for a well-formed dfp_ token, 'corrupt' for one whose checksum fails, 'legacy' for anything else. */
export function tokenShape(token: string): 'valid' | 'corrupt' | 'legacy' {
  if (!token.startsWith(TOKEN_PREFIX)) return 'legacy';
  if (token.length !== TOKEN_LENGTH) return 'corrupt';
  const random = token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + RANDOM_LENGTH);
  if (!/^[0-9A-Za-z]+$/.test(random)) return 'corrupt';
  return token.slice(-CHECKSUM_LENGTH) === base62(crc32(random), CHECKSUM_LENGTH) ? 'valid' : 'corrupt';
}
/** crypto.hash, the one-shot hash of Node 20.12+ (this project supports 20.10+). */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, outputEncoding: 'hex') => string }).hash;

/** docs/decisions.md 20: tokens are stored only as hashes. */
export function hashToken(token: string): string {
  // Every request pays this: the one-shot hash costs half as much as a Hash object.
  return oneShotHash ? oneShotHash('sha256', token, 'hex') : createHash('sha256').update(token, 'utf8').digest('hex');
}
