// Renders the SDK's wire types (clients/sdk/src/wireTypes.ts) from the server's schemas, so the
// shapes on the wire are written once (docs/decisions.md 100). Regenerate with
// `npm run generate:sdk-types`; test/sdk-wire-types.test.ts fails when the file is stale.
//
// Hand-written rather than json-schema-to-typescript: these schemas use a handful of JSON Schema
// keywords (object, array, anyOf, enum and the scalar types), the output must be byte-stable for
// the staleness check, and a named schema nested in another must render as its name.
import type { TSchema } from '@sinclair/typebox';
import { FileDetailsBody, PermissionsBody, PermissionsUpdateBody, Revision, UploadFileResult, UploadRevisionResult } from './schemas.js';
import { CommitResult, PartUploaded, SessionBody, SessionCreated } from './sessionWire.js';

interface Schema {
  type?: string;
  anyOf?: Schema[];
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
}

/** The SDK's name for each schema, in the order they are written out. */
export const SDK_WIRE_TYPES: Array<{ name: string; schema: TSchema; doc: string }> = [
  { name: 'FileRevision', schema: Revision, doc: 'spec: "Get all files metadata": `currentRevision` and each of `revisions`.' },
  {
    name: 'FileDetails',
    schema: FileDetailsBody,
    doc: 'spec: "Get file metadata by ID". `description` and `publicAccess` only with expand=metadata; `revisions` empty unless expand has `revisions`.',
  },
  {
    name: 'PermissionEntry',
    schema: PermissionsBody.properties.entries.items,
    doc: 'spec: "Get file permissions": one entry. `entityId` is a string on the wire.',
  },
  { name: 'FilePermissions', schema: PermissionsBody, doc: 'spec: "Get file permissions".' },
  {
    name: 'FilePermissionsUpdateBody',
    schema: PermissionsUpdateBody,
    doc: 'spec: "Update file permissions": what the server\'s schema accepts (types.ts narrows the strings).',
  },
  { name: 'UploadFileResult', schema: UploadFileResult, doc: 'spec: "Upload a file".' },
  { name: 'UploadRevisionResult', schema: UploadRevisionResult, doc: 'spec: "Upload a file revision".' },
  { name: 'SessionCreated', schema: SessionCreated, doc: 'spec: "Creating a Multi-part Upload Session" and "…Update Session".' },
  { name: 'PartUploaded', schema: PartUploaded, doc: 'What the server answers for a stored part.' },
  { name: 'CommitResult', schema: CommitResult, doc: 'spec: "Completing a Multi-part Upload" (integers, docs/decisions.md 2).' },
  { name: 'UploadSession', schema: SessionBody, doc: 'docs/decisions.md 25: GET /multipart/{sessionId}, what a client needs to resume.' },
];

const quote = (value: unknown) => `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const key = (schema: unknown) => JSON.stringify(schema);

function render(schema: Schema, indent: string, named: Map<string, string>, self: string): string {
  const name = named.get(key(schema));
  if (name !== undefined && name !== self) return name;
  if (schema.anyOf) return schema.anyOf.map((each) => render(each, indent, named, self)).join(' | ');
  if (schema.enum) return schema.enum.map(quote).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      if (!schema.items) throw new Error('an array schema without items');
      return `Array<${render(schema.items, indent, named, self)}>`;
    }
    case 'object': {
      const entries = Object.entries(schema.properties ?? {});
      if (entries.length === 0) return 'Record<string, never>';
      const inner = `${indent}  `;
      const lines = entries.map(([property, value]) => {
        const doc = value.description === undefined ? '' : `${inner}/** ${value.description} */\n`;
        const optional = (schema.required ?? []).includes(property) ? '' : '?';
        return `${doc}${inner}${property}${optional}: ${render(value, inner, named, self)};\n`;
      });
      return `{\n${lines.join('')}${indent}}`;
    }
    default:
      throw new Error(`sdkWireTypes.ts cannot render this schema: ${key(schema).slice(0, 200)}`);
  }
}

/** The text of clients/sdk/src/wireTypes.ts. */
export function renderSdkWireTypes(): string {
  const named = new Map(SDK_WIRE_TYPES.map(({ name, schema }) => [key(schema), name]));
  const blocks = SDK_WIRE_TYPES.map(({ name, schema, doc }) => {
    const body = render(schema as Schema, '', named, name);
    return `/** ${doc} */\n${body.startsWith('{') ? `export interface ${name} ${body}` : `export type ${name} = ${body};`}\n`;
  });
  return [
    "// GENERATED from the server's schemas (src/http/schemas.ts, src/http/sessionWire.ts) by",
    '// src/http/sdkWireTypes.ts: do not edit. Run `npm run generate:sdk-types` after changing a schema',
    '// (docs/decisions.md 100). Timestamps are epoch milliseconds, ids integers, hashes upper-case hex.',
    '',
    ...blocks.join('\n').split('\n'),
  ].join('\n');
}
