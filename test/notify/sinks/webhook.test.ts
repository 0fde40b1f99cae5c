// The generic webhook sink's body: the documented subset of comparison.json (src/notify/sinks/webhook.ts).
import { describe, expect, it } from 'vitest';
import { webhookSink } from '../../../src/notify/sinks/webhook.js';
import { regressedResult } from '../../helpers/builders.js';

describe('webhook sink', () => {
  it('is the kind "webhook" and posts the outcome, the counts and the regressed metrics', () => {
    expect(webhookSink.kind).toBe('webhook');
    expect(webhookSink.body(regressedResult(), 'abc123')).toMatchObject({
      outcome: 'regressed',
      failed: true,
      commit: 'abc123',
      regressions: 1,
      thresholdsFailed: 1,
      scenarios: [
        {
          scenario: 'http-endpoints',
          key: 'http-endpoints@smoke',
          regressed: [{ metric: 'http_req_duration', stat: 'p(95)', baseline: 180, current: 252, unit: 'ms' }],
          thresholdsCrossed: [{ metric: 'http_req_duration', expression: 'p(95)<200' }],
        },
      ],
    });
  });
});
