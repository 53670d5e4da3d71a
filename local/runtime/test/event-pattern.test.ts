/**
 * EventBridge event patterns on their own: which events a pattern matches, and the patterns EventBridge
 * rejects.
 */
import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '#runtime/event-pattern';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Backup Completed',
  source: 'platform.backups',
  account: '111111111111',
  region: 'us-east-1',
  resources: ['arn:aws:s3:::backups'],
  detail: {
    projectId: 'proj-1',
    clusterId: 'clu-7',
    tier: 'dedicated',
    sizeGb: 42,
    tags: ['nightly', 'full'],
    note: null,
  },
};

describe('EventBridge pattern matching', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['exact values', { source: ['platform.backups'], 'detail-type': ['Backup Completed'] }, true],
    ['one of several values', { source: ['platform.projects', 'platform.backups'] }, true],
    ['a different value', { source: ['platform.projects'] }, false],
    ['a nested field', { detail: { tier: ['dedicated'] } }, true],
    ['a nested field that differs', { detail: { tier: ['serverless'] } }, false],
    ['a field the event lacks', { detail: { plan: ['enterprise'] } }, false],
    ['a value inside an event list', { detail: { tags: ['full'] } }, true],
    ['null', { detail: { note: [null] } }, true],
    ['prefix', { detail: { clusterId: [{ prefix: 'clu-' }] } }, true],
    ['prefix that differs', { detail: { clusterId: [{ prefix: 'cls-' }] } }, false],
    ['suffix', { detail: { clusterId: [{ suffix: '-7' }] } }, true],
    ['equals-ignore-case', { detail: { tier: [{ 'equals-ignore-case': 'DEDICATED' }] } }, true],
    ['wildcard', { detail: { projectId: [{ wildcard: 'proj-*' }] } }, true],
    ['anything-but a value', { detail: { tier: [{ 'anything-but': 'serverless' }] } }, true],
    ['anything-but the value', { detail: { tier: [{ 'anything-but': ['dedicated', 'x'] }] } }, false],
    ['anything-but a prefix', { detail: { clusterId: [{ 'anything-but': { prefix: 'clu-' } }] } }, false],
    ['exists true', { detail: { clusterId: [{ exists: true }] } }, true],
    ['exists true on a missing field', { detail: { backupId: [{ exists: true }] } }, false],
    ['exists false on a missing field', { detail: { backupId: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { clusterId: [{ exists: false }] } }, false],
    ['numeric range', { detail: { sizeGb: [{ numeric: ['>', 10, '<=', 42] }] } }, true],
    ['numeric range missed', { detail: { sizeGb: [{ numeric: ['>', 42] }] } }, false],
    ['numeric on a string', { detail: { clusterId: [{ numeric: ['>', 0] }] } }, false],
    ['$or with one matching branch', { $or: [{ source: ['nope'] }, { detail: { tier: ['dedicated'] } }] }, true],
    ['$or with no matching branch', { $or: [{ source: ['nope'] }, { detail: { tier: ['nope'] } }] }, false],
  ];

  it.each(cases)('%s', (_name, pattern, expected) => {
    validatePattern(pattern, 'pattern');
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('rejects patterns EventBridge rejects', () => {
    expect(() => validatePattern({ source: 'platform.backups' }, 'pattern')).toThrow(/needs a list of values/);
    expect(() => validatePattern({ source: [] }, 'pattern')).toThrow(/empty list/);
    expect(() => validatePattern({ detail: { size: [{ 'greater-than': 1 }] } }, 'pattern')).toThrow(/not a matcher/);
    expect(() => validatePattern({ detail: { size: [{ numeric: ['>', 'one'] }] } }, 'pattern')).toThrow(/numeric/);
    expect(() => validatePattern({}, 'pattern')).toThrow(/non-empty object/);
  });
});
