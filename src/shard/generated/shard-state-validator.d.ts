// Types of the module scripts/shard-state-validator.mjs generates (ajv's standalone validator).
import type { ErrorObject } from 'ajv';

export interface ShardStateValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export const validate: ShardStateValidator;
export default validate;
