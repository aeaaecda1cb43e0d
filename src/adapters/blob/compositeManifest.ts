// A blob assembled from staged parts is a directory holding the part files, moved there without
// copying a byte, and a small manifest listing them in order. The manifest is the blob's commit
// record: it is written durably before the directory is renamed into place, so a composite blob is
// either complete or absent.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DomainError } from '../../core/errors.js';
import { writeSmallFileDurably } from './durableFiles.js';
import { isMissingPathError } from './fileSystemErrors.js';
import { isPartFileName } from './diskLayout.js';

export const MANIFEST_FILE_NAME = 'manifest.json';
const MANIFEST_FORMAT = 'datafiles.composite-blob/1';

export interface ManifestPart {
  /** A file name inside the composite directory (never a path). */
  file: string;
  sizeBytes: number;
}

interface CompositeManifest {
  format: typeof MANIFEST_FORMAT;
  parts: ManifestPart[];
}

export async function writeManifest(input: { directory: string; parts: readonly ManifestPart[] }): Promise<void> {
  const manifest: CompositeManifest = { format: MANIFEST_FORMAT, parts: [...input.parts] };
  await writeSmallFileDurably({ filePath: path.join(input.directory, MANIFEST_FILE_NAME), contents: JSON.stringify(manifest) });
}

/** The ordered parts of the composite blob in `directory`; NOT_FOUND if it has no manifest. */
export async function readManifest(directory: string): Promise<ManifestPart[]> {
  let text: string;
  try {
    text = await readFile(path.join(directory, MANIFEST_FILE_NAME), 'utf8');
  } catch (error) {
    if (isMissingPathError(error)) throw new DomainError('NOT_FOUND', 'No blob with that key.');
    throw error;
  }
  return partsOf(JSON.parse(text), directory);
}

// The manifest is our own file, but it names files to open: check every name is a plain part file
// name so that even a damaged manifest cannot point outside its directory.
function partsOf(manifest: unknown, directory: string): ManifestPart[] {
  const candidate = manifest as Partial<CompositeManifest> | null;
  if (candidate?.format !== MANIFEST_FORMAT || !Array.isArray(candidate.parts)) {
    throw new DomainError('INTERNAL', `The composite blob manifest in ${directory} is not readable.`);
  }
  return candidate.parts.map((part: unknown) => {
    const { file, sizeBytes } = (part ?? {}) as Partial<ManifestPart>;
    if (typeof file !== 'string' || !isPartFileName(file) || !Number.isSafeInteger(sizeBytes) || (sizeBytes as number) < 0) {
      throw new DomainError('INTERNAL', `The composite blob manifest in ${directory} lists an invalid part.`);
    }
    return { file, sizeBytes: sizeBytes as number };
  });
}
