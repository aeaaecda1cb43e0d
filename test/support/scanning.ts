// Helpers for the virus-scanning suites: uploads, waiting for a scan state (polling with a
// deadline, never a fixed sleep) and a zip written by hand.
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { API, api, fileForm, type TestServer, type TestUser } from './server.js';

export async function upload(server: TestServer, user: TestUser, bytes: Uint8Array, name: string): Promise<{ fileId: number; revisionId: number }> {
  const created = await api(server, user.token, `${API}?name=${encodeURIComponent(name)}`, { method: 'POST', body: fileForm(bytes, name) });
  assert.equal(created.status, 200, await created.clone().text());
  const fileId = ((await created.json()) as { dataFileId: number }).dataFileId;
  const details = (await (await api(server, user.token, `${API}/${fileId}/details`)).json()) as { currentRevision: { dataFileRevisionId: number } };
  return { fileId, revisionId: details.currentRevision.dataFileRevisionId };
}

export async function scanStateOf(server: TestServer, user: TestUser, fileId: number): Promise<string> {
  const response = await api(server, user.token, `${API}/${fileId}/details`);
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { currentRevision: { scanState: string } }).currentRevision.scanState;
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

export function waitForScanState(server: TestServer, user: TestUser, fileId: number, state: string, timeoutMs?: number): Promise<string> {
  return eventually(`file ${fileId} to be ${state}`, async () => ((await scanStateOf(server, user, fileId)) === state ? state : undefined), timeoutMs);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A zip archive with one entry, stored or deflated, written by hand (PKWARE APPNOTE 4.3): no zip
 * library is a dependency, and one entry is three small records. Deflated, the archive's bytes do
 * not contain the entry's: the scanner has to unpack it.
 */
export function zipOf(name: string, original: Buffer, method: 'stored' | 'deflated'): Buffer {
  const fileName = Buffer.from(name, 'utf8');
  const crc = crc32(original);
  const content = method === 'stored' ? original : deflateRawSync(original);
  const methodCode = method === 'stored' ? 0 : 8;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0, 6); // flags
  local.writeUInt16LE(methodCode, 8);
  local.writeUInt32LE(0, 10); // time, date
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(original.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(methodCode, 10);
  central.writeUInt32LE(0, 12);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(original.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  // extra, comment, disk, internal and external attributes: 0
  central.writeUInt32LE(0, 42); // offset of the local header
  const centralOffset = local.length + fileName.length + content.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, content, central, fileName, end]);
}
