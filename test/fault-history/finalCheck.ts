// The checks after the faults of the fault history (issue 16 item 5), once every server is up and
// both dependencies answer: every acknowledged write is there with the right bytes and hashes
// (each revision downloaded and hashed), every write without an answer is there whole or not at
// all, nothing else exists, and `datafiles verify` finds nothing (no orphan, stray staged upload,
// missing or corrupt bytes, stuck commit) once the sweeps had their chance: the orphans a kill
// left are swept by the servers' own start-up sweeps when older than --orphan-grace-ms.
import { API } from '../support/server.js';
import { waitFor } from '../support/waitFor.js';
import type { FaultClient } from './client.js';
import { ORPHAN_GRACE_MS, type FaultCluster } from './cluster.js';
import { contentOf, type Content, type Model, type Tally } from './model.js';

const PAGE = 100;

async function get(cluster: FaultCluster, token: string, path: string): Promise<{ status: number; body: Buffer; json: any }> {
  const server = cluster.live()[0].server!;
  const response = await fetch(`${server.url}${path}`, { headers: { 'X-DOMO-Ryuu-Session': token }, signal: AbortSignal.timeout(60_000) });
  const body = Buffer.from(await response.arrayBuffer());
  let json: any;
  try {
    json = JSON.parse(body.toString());
  } catch {
    json = undefined;
  }
  return { status: response.status, body, json };
}

/** Every revision of a file downloaded: each must be `expected` content, byte for byte. */
async function checkRevisionBytes(cluster: FaultCluster, tally: Tally, token: string, details: any, contents: Map<string, Content>): Promise<void> {
  for (const revision of details.revisions as any[]) {
    const answer = await get(cluster, token, `${API}/${details.dataFileId}/revisions/${revision.dataFileRevisionId}`);
    const got = contentOf(answer.body);
    const expected = contents.get(revision.sha256HashValue);
    if (answer.status !== 200 || !expected || got.sha256 !== expected.sha256 || got.md5 !== expected.md5 || got.sizeBytes !== expected.sizeBytes)
      tally.violation(
        'stored bytes',
        `file ${details.dataFileId} revision ${revision.dataFileRevisionId}: ${answer.status}, ${got.sha256} (${got.sizeBytes} bytes)`,
      );
  }
}

export async function checkFinalState(cluster: FaultCluster, model: Model, clients: FaultClient[], tally: Tally, log: (line: string) => void): Promise<void> {
  // 1. Every file of every client, as its owner sees it.
  for (const client of clients) {
    for (const file of client.files) {
      const answer = await get(cluster, client.token, `${API}/${file.id}/details?expand=revisions`);
      if (answer.status === 404) {
        if (file.deleted === 'no') tally.violation('acknowledged file lost', `file ${file.id} (${file.name}) answers 404`);
        continue;
      }
      if (answer.status !== 200) {
        tally.violation('final details', `file ${file.id}: ${answer.status} ${answer.body.toString().slice(0, 300)}`);
        continue;
      }
      client.checkDetails(file, answer.json, 'final');
      await checkRevisionBytes(cluster, tally, client.token, answer.json, model.knownContents(file));
    }
  }

  // 2. Everything that exists, as the admin sees it: known files, or writes without an answer.
  const known = new Set(model.files.keys());
  const pending = new Map(model.pending.map((creation) => [creation.name, creation]));
  let found = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await get(cluster, cluster.adminToken, `${API}/details?limitToOwned=false&expand=revisions&limit=${PAGE}&offset=${offset}`);
    if (page.status !== 200) throw new Error(`listing every file failed: ${page.status} ${page.body.toString()}`);
    for (const details of page.json as any[]) {
      if (known.has(details.dataFileId)) continue;
      const creation = pending.get(details.name);
      if (!creation) tally.violation('unknown file', `file ${details.dataFileId} (${details.name}) was never written`);
      else if (creation.outcome === 'never') tally.violation('uncommitted session visible', `file ${details.dataFileId} (${details.name})`);
      else {
        found += 1;
        const shas = (details.revisions as any[]).map((revision) => revision.sha256HashValue);
        if (shas.length !== 1 || shas[0] !== creation.content.sha256)
          tally.violation('half-visible write', `file ${details.dataFileId}: ${JSON.stringify(shas)}`);
        await checkRevisionBytes(cluster, tally, cluster.adminToken, details, new Map([[creation.content.sha256, creation.content]]));
      }
    }
    if ((page.json as any[]).length < PAGE) break;
  }
  log(`writes without an answer: ${model.pending.filter((creation) => creation.outcome === 'maybe').length} creations, ${found} of them landed (whole)`);

  // 3. The stores: clean once the sweeps ran. Orphans younger than the grace period are a kill's
  // in-flight writes; once they are old enough, a restart of every server runs the start-up sweeps.
  let report = await cluster.verify();
  if (!report.ok) {
    log(`verify right after the faults: ${summary(report)}`);
    const newest = Math.max(0, ...report.orphans.items.map((orphan: any) => Date.parse(orphan.modifiedAt)));
    await waitFor(() => Date.now() > newest + ORPHAN_GRACE_MS + 1000, { timeoutMs: ORPHAN_GRACE_MS + 5000, intervalMs: 250, what: 'the orphans to age' });
    for (const slot of cluster.slots) await cluster.restart(slot);
    try {
      await waitFor(async () => (report = await cluster.verify()).ok === true, { timeoutMs: 60_000, intervalMs: 1000, what: 'verify to come out clean' });
    } catch {
      tally.violation('verify after the sweeps', summary(report));
    }
  }
  log(`verify after the sweeps: ${summary(report)}`);
}

export function summary(report: any): string {
  const kinds = ['missing', 'corrupt', 'unreadable', 'orphans', 'strayUploads', 'stuckCommitting'];
  const counts = kinds.map((kind) => `${kind} ${report[kind].count}`).join(', ');
  const items = kinds.flatMap((kind) => report[kind].items.slice(0, 3).map((item: unknown) => `${kind}: ${JSON.stringify(item)}`));
  return `ok ${report.ok}; ${report.revisionsChecked} revisions, ${report.bytesRead} bytes read; ${counts}${items.length ? `\n  ${items.join('\n  ')}` : ''}`;
}
