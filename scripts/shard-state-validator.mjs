// Generates src/shard/generated/shard-state-validator.js: schemas/shard-state.schema.json compiled by
// ajv into plain code ahead of time, like the baseline's validator (scripts/baseline-validator.mjs):
// the bundled action and CLI then need no ajv at run time. Run `node scripts/shard-state-validator.mjs`
// after changing the schema; test/shard/state.test.ts fails while the committed file differs.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { standaloneValidatorSource } from './baseline-validator.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED_SHARD_STATE_VALIDATOR = path.join(root, 'src/shard/generated/shard-state-validator.js');

/** The generated module's text for the schema as it is now. */
export function shardStateValidatorSource() {
  return standaloneValidatorSource('schemas/shard-state.schema.json', 'scripts/shard-state-validator.mjs');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(GENERATED_SHARD_STATE_VALIDATOR, shardStateValidatorSource());
  console.log(`wrote ${path.relative(root, GENERATED_SHARD_STATE_VALIDATOR)}`);
}
