// The SDK's wire types are generated from the server's schemas (docs/decisions.md 100): the file
// in the SDK is what the generator writes today, and it stands alone (the SDK is packed and
// installed without the server, test/package-install.test.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderSdkWireTypes, SDK_WIRE_TYPES } from '../src/http/sdkWireTypes.js';

const WIRE_TYPES = new URL('../clients/sdk/src/wireTypes.ts', import.meta.url);

describe('the SDK wire types generated from the server schemas', () => {
  it('clients/sdk/src/wireTypes.ts is what the schemas generate (run `npm run generate:sdk-types` if not)', () => {
    assert.equal(readFileSync(WIRE_TYPES, 'utf8'), renderSdkWireTypes(), 'clients/sdk/src/wireTypes.ts is stale: run `npm run generate:sdk-types`');
  });

  it('imports nothing, so the SDK builds and installs without the server', () => {
    assert.doesNotMatch(readFileSync(WIRE_TYPES, 'utf8'), /^\s*(import|export .* from)\b/m);
  });

  it('writes every named type once, and a named schema nested in another as its name', () => {
    const text = renderSdkWireTypes();
    for (const { name } of SDK_WIRE_TYPES) assert.equal(text.match(new RegExp(`^export (interface|type) ${name}\\b`, 'gm'))?.length, 1, name);
    assert.match(text, /currentRevision: FileRevision;/);
    assert.match(text, /parts: Array<PartUploaded>;/);
    assert.match(text, /scanState: 'NOT_SCANNED' \| 'PENDING' \| 'SAFE' \| 'INFECTED' \| 'FAILED';/);
  });
});
