// Where the base deployment of A/B mode is health-checked: the target's health path, moved onto
// baseline-target.
import { describe, expect, it } from 'vitest';
import { baselineHealthUrl } from '../../src/gate/k6-and-target.js';

describe('baselineHealthUrl', () => {
  it.each([
    ['http://b:8080', 'http://b:8080/health', 'http://a:9090', 'http://a:9090/health'],
    ['http://b/app/', 'http://b/app/ready?deep=1', 'http://a/base', 'http://a/base/ready?deep=1'],
    ['http://b:8080', 'http://b:8080', 'http://a:9090', 'http://a:9090/'],
    ['http://b:8080', 'http://monitor:1/b-health', 'http://a:9090', 'http://a:9090'],
  ])('target %s with health %s: baseline-target %s is checked at %s', (target, healthUrl, baselineTarget, expected) => {
    expect(baselineHealthUrl({ target, healthUrl, baselineTarget })).toBe(expected);
  });

  it('no A/B mode or no health check: none', () => {
    expect(baselineHealthUrl({ target: 'http://b', healthUrl: 'http://b/health' })).toBeUndefined();
    expect(baselineHealthUrl({ target: 'http://b', baselineTarget: 'http://a' })).toBeUndefined();
  });
});
