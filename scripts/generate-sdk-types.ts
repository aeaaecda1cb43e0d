// Writes clients/sdk/src/wireTypes.ts from the server's schemas (src/http/sdkWireTypes.ts).
import { writeFileSync } from 'node:fs';
import { renderSdkWireTypes } from '../src/http/sdkWireTypes.js';

writeFileSync(new URL('../clients/sdk/src/wireTypes.ts', import.meta.url), renderSdkWireTypes());
