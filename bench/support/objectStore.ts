// Room in the project's Ceph (scripts/services/start-ceph-rgw.sh) before `--scale-out` writes
// gigabytes into it. Its default object store is memstore with a 4 GiB ceiling, and a full
// memstore makes RGW's writes hang instead of failing: a run that fills it stalls for minutes in
// the middle of a measurement. So the bench asks `ceph df` first and refuses, naming the fix,
// when the store has less room than the run needs. An S3 server of the user's own
// (DATAFILES_TEST_S3_ENDPOINT) is not checked: its capacity is its operator's business.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureRgw } from '../../test/support/rgw.js';
import { GiB, run } from './measure.js';

export interface ObjectStoreRoom {
  /** memstore or bluestore, from the cluster's ceph.conf. */
  store: string;
  totalBytes: number;
  availableBytes: number;
  usedBytes: number;
}

const stateDir = () => process.env.CEPH_RGW_DIR || '/tmp/datafiles-ceph-rgw';

/** `ceph df` of the project's Ceph; undefined when another S3 server is used or `ceph` cannot answer. */
export async function projectCephRoom(): Promise<ObjectStoreRoom | undefined> {
  if (process.env.DATAFILES_TEST_S3_ENDPOINT) return undefined;
  const conf = path.join(stateDir(), 'ceph.conf');
  if (!existsSync(conf)) return undefined;
  const store = /^\s*osd objectstore\s*=\s*(\S+)/m.exec(await readFile(conf, 'utf8'))?.[1] ?? 'unknown';
  const answer = await run('timeout', ['60', 'ceph', '-c', conf, 'df', '--format', 'json']).catch(() => undefined);
  if (!answer || answer.code !== 0) return undefined;
  const stats = (JSON.parse(answer.stdout) as { stats?: { total_bytes: number; total_avail_bytes: number; total_used_raw_bytes: number } }).stats;
  if (!stats) return undefined;
  return { store, totalBytes: stats.total_bytes, availableBytes: stats.total_avail_bytes, usedBytes: stats.total_used_raw_bytes };
}

export const gib = (bytes: number) => `${(bytes / GiB).toFixed(1)} GiB`;

/**
 * Starts the project's RGW if need be (as the scale-out servers would), then refuses when it has
 * less than `neededBytes` free. Returns what it found, for the run's log.
 */
export async function assertObjectStoreRoom(neededBytes: number, why: string): Promise<ObjectStoreRoom | undefined> {
  await ensureRgw();
  const room = await projectCephRoom();
  // Ceph stops writes short of 100 % (its full ratio, 95 % by default): keep a tenth in reserve.
  if (!room || room.availableBytes - 0.1 * room.totalBytes >= neededBytes) return room;
  throw new Error(
    `The project's Ceph (${room.store}, ${gib(room.totalBytes)}, ${gib(room.availableBytes)} free, of which Ceph keeps a tenth in reserve) has too little room for this run: ` +
      `it needs about ${gib(neededBytes)} (${why}). A full Ceph store makes RGW's writes hang rather than fail. ` +
      'Restart it with a larger store on disk (this wipes what it holds), then run the bench again:\n' +
      `  scripts/services/stop-ceph-rgw.sh && CEPH_OSD_STORE=bluestore CEPH_STORE_BYTES=${Math.ceil((neededBytes * 1.5) / GiB) * GiB} scripts/services/start-ceph-rgw.sh\n` +
      '(as root; CEPH_STORE_BYTES is the size of a sparse file in its state directory), or use a smaller --size.',
  );
}
