import { describe, expect, it } from '@jest/globals';
import { LabelSelectorSyntaxError, parseLabelSelector, selectorMatches, type LabelSelector } from '../../../src/api/label-selector.js';

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

// parseLabelSelector(): Kubernetes' text form, as --watch-label-selector takes it (ADR 25).
describe('parseLabelSelector', () => {
  const key = 'sharding.fluxcd.io/key';
  it.each<[string, LabelSelector]>([
    ['', {}],
    [`${key} in (shard1)`, { matchExpressions: [{ key, operator: 'In', values: ['shard1'] }] }],
    [`${key} in (shard1, shard2)`, { matchExpressions: [{ key, operator: 'In', values: ['shard1', 'shard2'] }] }],
    [`${key} notin (shard1,shard2)`, { matchExpressions: [{ key, operator: 'NotIn', values: ['shard1', 'shard2'] }] }],
    [`!${key}`, { matchExpressions: [{ key, operator: 'DoesNotExist' }] }],
    [key, { matchExpressions: [{ key, operator: 'Exists' }] }],
    [`${key}=shard1`, { matchExpressions: [{ key, operator: 'In', values: ['shard1'] }] }],
    [`${key}==shard1`, { matchExpressions: [{ key, operator: 'In', values: ['shard1'] }] }],
    [`${key}!=shard1`, { matchExpressions: [{ key, operator: 'NotIn', values: ['shard1'] }] }],
    [
      `team=shop, ${key} in (a,b),!legacy`,
      {
        matchExpressions: [
          { key: 'team', operator: 'In', values: ['shop'] },
          { key, operator: 'In', values: ['a', 'b'] },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
    ],
  ])('%j', (text, expected) => {
    expect(parseLabelSelector(text)).toEqual(expected);
  });

  it.each([
    [`${key} in ()`, 'the list of values is empty'],
    [`${key} in (shard1`, 'is not a requirement'],
    ['team=shop,', 'an empty requirement'],
    ['Bad Key=1', 'is not a requirement'],
    ['-team=shop', 'is not a label key'],
    ['team=sh op', 'is not a requirement'],
    [`${key}=${'x'.repeat(64)}`, 'is not a label value'],
    ['UPPER.example/key', 'is not a label key'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseLabelSelector(text)).toThrow(LabelSelectorSyntaxError);
    expect(() => parseLabelSelector(text)).toThrow(message);
  });

  it('reads back what selectorMatches evaluates: the unsharded instance and two shards split every label set', () => {
    const shards = ['!sharding.fluxcd.io/key', `${key} in (shard1)`, `${key} in (shard2)`].map(parseLabelSelector);
    for (const labels of [{}, { [key]: 'shard1' }, { [key]: 'shard2' }, { team: 'shop', [key]: 'shard1' }]) {
      expect({ labels, matching: shards.filter((selector) => selectorMatches(selector, labels)).length }).toEqual({ labels, matching: 1 });
    }
    // A key no instance names matches none of them: documented (README, Sharding).
    expect(shards.filter((selector) => selectorMatches(selector, { [key]: 'shard3' }))).toHaveLength(0);
  });
});
