// The same core the extension runs (dist/extension/core), loaded in Node, so a test can compute
// what the extension should have done with exactly the code the extension uses.
import { readFileSync } from 'node:fs';
import * as core from '../../../dist/extension/core/tenant_switch.js';

core.initSync({
  module: readFileSync(new URL('../../../dist/extension/core/tenant_switch_bg.wasm', import.meta.url)),
});

export default core;
