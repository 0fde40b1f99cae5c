// The Slack sink's body: an incoming-webhook message with blocks (src/notify/sinks/slack.ts).
import { describe, expect, it } from 'vitest';
import { slackMessage, slackSink } from '../../../src/notify/sinks/slack.js';
import { regressedResult } from '../../helpers/builders.js';

describe('slack sink', () => {
  it('is the kind "slack" and posts a header, the counts and the regressed metric of each scenario', () => {
    expect(slackSink.kind).toBe('slack');
    const body = slackSink.body(regressedResult(), 'abcdef1234567890') as ReturnType<typeof slackMessage>;
    expect(body.text).toBe('❌ k6-gate: performance regressed — 1 regression(s), 1 crossed threshold(s)');
    const sections = JSON.stringify(body.blocks);
    expect(sections).toContain('commit `abcdef123456`');
    expect(sections).toContain('• `http_req_duration` p(95): 180 ms → 252 ms (+40.0%)');
    expect(sections).toContain('• threshold `http_req_duration: p(95)&lt;200` crossed');
  });

  it('escapes &, < and > so a scenario name cannot become a Slack link', () => {
    const result = regressedResult();
    result.scenarios[0].scenario = '<https://evil.example|click> & co';
    const text = JSON.stringify(slackMessage(result).blocks);
    expect(text).toContain('&lt;https://evil.example|click&gt; &amp; co');
    expect(text).not.toContain('<https://evil.example');
  });
});
