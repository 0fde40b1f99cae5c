// Types of the module scripts/baseline-validator.mjs generates (ajv's standalone validator).
import type { ErrorObject } from 'ajv';

export interface BaselineValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export const validate: BaselineValidator;
export default validate;
