// How the server's V8 collects garbage (docs/history.md, issue 6).
//
// A transfer allocates little that lives, but fast: every 64 KiB read from a socket is a new
// buffer. On a server that had been idle a few seconds before an upload, V8 set the old
// generation's limit barely above its size, so that incremental marking started again as soon as
// a collection ended: a full mark-compact every 50 ms for the whole upload (measured with
// --trace-gc and --trace-incremental-marking: "Start (allocation limit)", 21 MB of 30 MB), which
// took a third of the upload's throughput and one more core. Without incremental marking a full
// collection runs only when the limit is actually reached, which the same upload never did. The
// heap of this server is small (tens of MB), so a full collection done in one pause stays short.
//
// The flag must be set at run time: `node` accepts it only on its own command line, not in
// NODE_OPTIONS, and users start the server as `datafiles serve`. V8 reads it on each allocation
// step, so setting it before the server starts takes effect at once.
import v8 from 'node:v8';

export function collectGarbageWithoutIncrementalMarking(): void {
  v8.setFlagsFromString('--no-incremental-marking');
}
