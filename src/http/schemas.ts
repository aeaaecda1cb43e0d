// Request and response schemas shared by several routes; they validate input and produce the
// OpenAPI document (GET /openapi.json).
// They are also the SDK's wire types: clients/sdk/src/wireTypes.ts is generated from them
// (sdkWireTypes.ts; docs/decisions.md 100).
import { Type } from '@sinclair/typebox';
import { ENTITY_TYPES, GRANTS, PASSES, type ScanState } from '../core/model.js';

/**
 * A closed set of strings in an answer: its static type is the union and the OpenAPI document lists
 * the values. Only for response schemas: on input, an enum would replace the domain's Domo-shaped
 * 400 message with Ajv's (docs/decisions.md 101).
 */
export function stringEnum<T extends string>(values: readonly T[], description?: string) {
  return Type.Unsafe<T>(Type.String({ enum: [...values], ...(description === undefined ? {} : { description }) }));
}

/** Every scan state, checked complete by the compiler (docs/decisions.md 26). */
const SCAN_STATES = Object.keys({ NOT_SCANNED: true, PENDING: true, SAFE: true, INFECTED: true, FAILED: true } satisfies Record<
  ScanState,
  true
>) as ScanState[];

/** Ids are validated by pattern and parsed by parseId, so a huge id is a 400, not a lost digit. */
export const IdText = Type.String({ pattern: '^[0-9]{1,15}$', description: 'A positive integer id' });

export const FileIdParams = Type.Object({ dataFileId: IdText });
/** docs/decisions.md 76: a revision id, or -1 for the newest revision. */
export const RevisionIdText = Type.String({ pattern: '^(-1|[0-9]{1,15})$', description: 'A positive integer revision id, or -1 for the newest revision' });
export const RevisionParams = Type.Object({ dataFileId: IdText, revisionId: RevisionIdText });

export const StringOrList = Type.Union([Type.String({ maxLength: 20000 }), Type.Array(Type.String({ maxLength: 20000 }), { maxItems: 1000 })]);

export const ErrorBody = Type.Object(
  {
    status: Type.Integer(),
    statusReason: Type.String(),
    message: Type.String(),
    toe: Type.String({ description: 'The request id, also sent as X-Request-Id' }),
  },
  { additionalProperties: true, $id: 'DomoError' },
);

export const Revision = Type.Object({
  dataFileRevisionId: Type.Integer(),
  dataFileId: Type.Integer(),
  contentType: Type.String(),
  uploadUserId: Type.Integer(),
  sizeBytes: Type.Integer(),
  uploadTimeMillis: Type.Integer({ description: 'How long the server took to receive and store it (docs/decisions.md 11)' }),
  md5Hash: Type.String(),
  datetimeUploaded: Type.Integer({ description: 'epoch milliseconds' }),
  scanState: stringEnum(SCAN_STATES),
  sha256HashValue: Type.String(),
});

export const FileDetailsBody = Type.Object({
  dataFileId: Type.Integer(),
  name: Type.String(),
  responsibleUserId: Type.Integer(),
  description: Type.Optional(Type.String()),
  publicAccess: Type.Optional(Type.Boolean()),
  currentRevision: Revision,
  datetimeCreated: Type.Integer({ description: 'epoch milliseconds' }),
  revisions: Type.Array(Revision),
  existing: Type.Boolean(),
});

export const PermissionsBody = Type.Object({
  publicAccess: Type.Boolean(),
  entries: Type.Array(
    Type.Object({
      entityType: stringEnum(ENTITY_TYPES),
      entityId: Type.String({ description: 'A user or group id, as a string' }),
      grant: stringEnum(GRANTS),
      pass: stringEnum(PASSES, 'Stored with no effect (docs/decisions.md 18); always NONE'),
    }),
  ),
});

/** What a client may send to update permissions (publicAccess and entries are each optional). */
export const PermissionsUpdateBody = Type.Object({
  publicAccess: Type.Optional(Type.Boolean()),
  entries: Type.Optional(
    Type.Array(
      Type.Object({
        entityType: Type.String({ maxLength: 16 }),
        entityId: Type.Union([Type.String({ maxLength: 32 }), Type.Integer()]),
        grant: Type.String({ maxLength: 64 }),
        // Null first: with coerceTypes, ajv would turn a null into "" for a string branch tried before it.
        pass: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 64 })])),
      }),
      { maxItems: 1000 },
    ),
  ),
});

/** spec: "Upload a file". */
export const UploadFileResult = Type.Object({ dataFileId: Type.Integer() });
/** spec: "Upload a file revision". */
export const UploadRevisionResult = Type.Object({ revisionId: Type.Integer() });

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/**
 * Operations the spec answers with "HTTP/1.1 200 OK" and no body answer `{}` (docs/decisions.md 78):
 * Domo's older app client (domo.js 2.6.0) parses every 2xx body as JSON and fails on an empty one.
 */
export const OkBody = Type.Object({}, { additionalProperties: false, description: 'An empty JSON object' });
export const emptyOkResponses = { 200: OkBody, ...errorResponses };

/** What those operations answer. */
export function okBody(): Record<string, never> {
  return {};
}
