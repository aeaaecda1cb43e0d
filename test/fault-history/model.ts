// What the clients of the fault history know (issue 16 item 5): each file is one client's, and
// only that client changes it, one operation at a time, so its history is a sequence. A write
// answered 2xx is acknowledged and must survive; a write answered 503, or cut by a killed server,
// is uncertain: it may have landed (whole), even later, when a paused PostgreSQL resumes a query
// the server had given up on, or not at all. Contents are identified by their SHA-256.
import { createHash } from 'node:crypto';

export interface Content {
  sha256: string;
  md5: string;
  sizeBytes: number;
}

export function contentOf(bytes: Uint8Array): Content {
  return {
    sha256: createHash('sha256').update(bytes).digest('hex').toUpperCase(),
    md5: createHash('md5').update(bytes).digest('hex').toUpperCase(),
    sizeBytes: bytes.length,
  };
}

export interface FileModel {
  id: number;
  name: string;
  /** Revision contents acknowledged, oldest first: each must be there, byte for byte. */
  acked: Content[];
  /** Revision uploads that were not acknowledged: each may be there, whole, or not at all. */
  uncertain: Content[];
  deleted: 'no' | 'yes' | 'maybe';
  /** Whether every user may read it, for each value it may have now. */
  publicAccess: Set<boolean>;
}

/** A file created without an answer: it may exist (whole) or not; found by its unique name. */
export interface PendingCreation {
  name: string;
  content: Content;
  /** 'maybe': the creating request may have landed; 'never': a session never committed. */
  outcome: 'maybe' | 'never';
}

export class Model {
  readonly files = new Map<number, FileModel>();
  readonly pending: PendingCreation[] = [];

  created(id: number, name: string, content: Content): FileModel {
    const file: FileModel = { id, name, acked: [content], uncertain: [], deleted: 'no', publicAccess: new Set([false]) };
    this.files.set(id, file);
    return file;
  }

  /** Contents the current revision may have now (a late-landing upload may be current). */
  possibleCurrent(file: FileModel): Set<string> {
    return new Set([file.acked[file.acked.length - 1].sha256, ...file.uncertain.map((content) => content.sha256)]);
  }

  /** Any content the file may hold as some revision. */
  knownContents(file: FileModel): Map<string, Content> {
    return new Map([...file.acked, ...file.uncertain].map((content) => [content.sha256, content]));
  }
}

/** What went wrong, for the report; the history passes only with none. */
export interface Violation {
  kind: string;
  detail: string;
}

export class Tally {
  readonly operations = new Map<string, number>();
  readonly outcomes = new Map<string, number>();
  readonly faults = new Map<string, number>();
  readonly violations: Violation[] = [];

  count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  violation(kind: string, detail: string): void {
    this.violations.push({ kind, detail });
  }
}
