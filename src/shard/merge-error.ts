import { ExpectedError } from '../errors.js';

/** A shard merge that cannot go on: missing, duplicate or malformed shard files. */
export class MergeError extends ExpectedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MergeError';
  }
}
