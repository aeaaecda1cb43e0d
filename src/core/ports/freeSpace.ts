// How many bytes the data disk has left (issue 12, docs/decisions.md 67): a port, so the domain
// needs no file system. undefined when there is no local disk to guard (bytes in S3).
export interface FreeSpace {
  availableBytes(): Promise<number | undefined>;
}
