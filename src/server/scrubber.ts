// The background scrub of `datafiles serve --scrub-interval` (issue 16 item 1; docs/decisions.md
// 140): every so often, the first part of `datafiles verify --repair` (src/core/verification/
// revisionCheck.ts) re-reads every stored revision at a capped rate and marks the corrupt and
// missing ones, whose downloads then answer REVISION_CORRUPT (docs/decisions.md 106). Orphans are
// left to the orphan sweep (orphanSweeper.ts), staged uploads to the session sweep.
//
// Many servers: each starts its first pass at a random point of the first interval and waits the
// interval, give or take a tenth, after each pass, so that servers started together do not read
// the store together. Each server still scrubs everything; the rate cap bounds what each reads.
import { Counter, Gauge, type Registry } from 'prom-client';
import { checkStoredRevisions, type RevisionCheckDeps, type RevisionCheckReport } from '../core/verification/revisionCheck.js';
import type { ScrubConfig } from '../scrubConfig.js';

/** Findings written to the log per pass (their counts are always exact). */
const LOGGED_FINDINGS = 100;

export interface Scrubber {
  /** Cuts a pass in progress short and waits for it, so the stores are not closed under it. */
  stop(): Promise<void>;
}

interface Log {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

function scrubMetrics(registry: Registry) {
  return {
    passes: new Counter({
      name: 'datafiles_scrub_passes_total',
      help: 'Background scrub passes this server finished, by result (clean, findings, failed)',
      labelNames: ['result'],
      registers: [registry],
    }),
    bytes: new Counter({ name: 'datafiles_scrub_bytes_read_total', help: 'Stored bytes the background scrub re-read and hashed', registers: [registry] }),
    revisions: new Counter({
      name: 'datafiles_scrub_revisions_checked_total',
      help: 'Revisions the background scrub checked against their stored bytes',
      registers: [registry],
    }),
    findings: new Counter({
      name: 'datafiles_scrub_findings_total',
      help: 'Revisions found corrupt or missing, and blobs found unreadable, by the background scrub (a revision found again counts again)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    running: new Gauge({ name: 'datafiles_scrub_running', help: '1 while a background scrub pass runs on this server', registers: [registry] }),
    lastEnd: new Gauge({
      name: 'datafiles_scrub_last_pass_end_seconds',
      help: 'When the last background scrub pass of this server ended (Unix time)',
      registers: [registry],
    }),
  };
}

export function startScrubber(input: { deps: RevisionCheckDeps; config: ScrubConfig; registry: Registry; log: Log; random?: () => number }): Scrubber {
  const { deps, config, log } = input;
  const random = input.random ?? Math.random;
  const metrics = scrubMetrics(input.registry);
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const pass = async () => {
    const started = deps.clock.now();
    let counted = 0;
    metrics.running.set(1);
    log.info({ maxBytesPerSecond: config.maxBytesPerSecond ?? null }, 'background scrub started');
    let report: RevisionCheckReport | undefined;
    try {
      report = await checkStoredRevisions(deps, {
        repair: true,
        maxBytesPerSecond: config.maxBytesPerSecond,
        listLimit: LOGGED_FINDINGS,
        signal: stopping.signal,
        onProgress: ({ bytesRead }) => {
          metrics.bytes.inc(bytesRead - counted);
          counted = bytesRead;
        },
      });
    } catch (error) {
      if (!stopping.signal.aborted) {
        metrics.passes.inc({ result: 'failed' });
        log.warn({ err: error }, 'background scrub failed; the next pass starts after the interval');
      }
      return;
    } finally {
      metrics.running.set(0);
    }
    metrics.revisions.inc(report.revisionsChecked);
    metrics.findings.inc({ kind: 'corrupt' }, report.corrupt.count);
    metrics.findings.inc({ kind: 'missing' }, report.missing.count);
    metrics.findings.inc({ kind: 'unreadable' }, report.unreadable.count);
    metrics.lastEnd.set(deps.clock.now() / 1000);
    const problems = report.corrupt.count + report.missing.count + report.unreadable.count;
    metrics.passes.inc({ result: problems === 0 ? 'clean' : 'findings' });
    for (const item of report.corrupt.items)
      log.error(item, "a revision's stored bytes do not match its size or hashes: marked corrupt, its downloads answer REVISION_CORRUPT");
    for (const item of report.missing.items) log.error(item, "a revision's stored bytes are missing: marked corrupt, its downloads answer REVISION_CORRUPT");
    for (const item of report.unreadable.items) log.warn(item, 'a stored blob could not be read; the next pass tries again');
    const summary = {
      revisionsChecked: report.revisionsChecked,
      blobsChecked: report.blobsChecked,
      bytesRead: report.bytesRead,
      corrupt: report.corrupt.count,
      missing: report.missing.count,
      unreadable: report.unreadable.count,
      durationMs: deps.clock.now() - started,
    };
    if (problems === 0) log.info(summary, 'background scrub finished: every stored revision matches its hashes');
    else log.error(summary, 'background scrub finished with findings (run `datafiles verify` for the full report)');
  };

  const schedule = (delayMs: number) => {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => {
      running = pass().finally(() => schedule(config.intervalMs * (0.9 + 0.2 * random())));
    }, delayMs);
    timer.unref();
  };
  schedule(config.intervalMs * random());

  return {
    async stop() {
      stopping.abort(new Error('the server is stopping'));
      clearTimeout(timer);
      await running;
      clearTimeout(timer);
    },
  };
}
