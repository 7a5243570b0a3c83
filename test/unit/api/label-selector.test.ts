import { describe, expect, it } from '@jest/globals';
import { selectorMatches, type LabelSelector } from '../../../src/api/label-selector.js';

// selectorMatches() by Kubernetes' rules: every requirement must hold; {} matches everything.

const team = { team: 'shop', tier: 'prod' };

describe('selectorMatches', () => {
  it.each<[string, LabelSelector, Record<string, string>, boolean]>([
    ['{} matches any labels', {}, team, true],
    ['{} matches no labels', {}, {}, true],
    ['matchLabels, all equal', { matchLabels: { team: 'shop' } }, team, true],
    ['matchLabels, one differs', { matchLabels: { team: 'shop', tier: 'dev' } }, team, false],
    ['matchLabels, label absent', { matchLabels: { owner: 'x' } }, team, false],
    ['In, value listed', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['prod', 'staging'] }] }, team, true],
    ['In, value not listed', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['dev'] }] }, team, false],
    ['In, label absent', { matchExpressions: [{ key: 'owner', operator: 'In', values: ['x'] }] }, team, false],
    ['NotIn, value listed', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['prod'] }] }, team, false],
    ['NotIn, label absent', { matchExpressions: [{ key: 'owner', operator: 'NotIn', values: ['x'] }] }, team, true],
    ['Exists', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, team, true],
    ['Exists, absent', { matchExpressions: [{ key: 'owner', operator: 'Exists' }] }, team, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'owner', operator: 'DoesNotExist' }] }, team, true],
    ['DoesNotExist, present', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, team, false],
    [
      'labels and expressions together: both must hold',
      { matchLabels: { team: 'shop' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['dev'] }] },
      team,
      false,
    ],
  ])('%s', (_, selector, labels, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });
});
