// The SDK has no dependency on the server's code (clients/sdk is published on its own), so it
// keeps its own list of audit kinds; this test keeps that list the server's (src/core/audit/model.ts).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AUDIT_KINDS as SDK_AUDIT_KINDS } from '../clients/sdk/src/admin.js';
import { AUDIT_KINDS } from '../src/core/audit/model.js';

it("the SDK's audit kinds are exactly the server's", () => {
  assert.deepEqual([...SDK_AUDIT_KINDS], [...AUDIT_KINDS]);
});
