// The upgrade fixture (issue 16, item 3): a data directory and a PostgreSQL dump made by release
// 0.1.0, kept in test/fixtures/release-0.1.0 and made by scripts/make-release-fixture.ts. The bytes
// of every revision are generated from their label, so the upgrade test can compare what it reads
// back byte for byte without a second copy of them in the repository.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { REPO_ROOT } from './server.js';

export const RELEASE_FIXTURE_DIR = path.join(REPO_ROOT, 'test/fixtures/release-0.1.0');

/** Deterministic bytes: SHA-256 in counter mode over the label, cut to `size`. */
export function fixtureBytes(label: string, size: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * 32 < size; counter++) {
    blocks.push(createHash('sha256').update(`${label}:${counter}`).digest());
  }
  return Buffer.concat(blocks).subarray(0, size);
}

/** What the fixture holds, as recorded by the script that made it (manifest.json). */
export interface FixtureManifest {
  madeBy: { version: string; commit: string };
  adminToken: string;
  users: { id: number; name: string; token: string }[];
  groups: { id: number; name: string; members: string[] }[];
  files: {
    id: number;
    name: string;
    owner: string;
    publicAccess: boolean;
    /** Users (by name) and groups (by name) with a grant, as set by the owner. */
    grants: { entityType: 'USER' | 'GROUP'; name: string; grant: string }[];
    /** Every revision still stored, oldest first; the last is current. */
    revisions: { id: number; label: string; size: number; sha256: string }[];
  }[];
  /** Deleted: must stay deleted. */
  deletedFileIds: number[];
  /** An OPEN multipart session with its parts staged, to be committed after the upgrade. */
  openSession: { id: string; owner: string; name: string; parts: { index: number; label: string; size: number }[] };
  /** Tokens and the open session's id differ in the PostgreSQL copy (both random); ids do not. */
  postgres: { tokens: Record<string, string>; adminToken: string; openSessionId: string };
}
