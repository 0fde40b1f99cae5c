import { ExpectedError } from '../errors.js';

/** A shard merge that cannot go on: missing, duplicate or malformed shard files. */
export class MergeError extends ExpectedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MergeError';
  }
}

/** A state file that cannot be used: not JSON, not this format or version, or not one set of shards. */
export class ShardStateError extends MergeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShardStateError';
  }
}
