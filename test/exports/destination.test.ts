/**
 * Where an export writes, without the stack: which directories are accepted, that a job's id is
 * derived from everything the export does (and only that), and the keys its files land under.
 */
import { describe, expect, it } from 'vitest';
import {
  backupDestinationPrefix,
  directoryProblem,
  isUsableSourcePrefix,
  jobIdFor,
  sourceFolder,
} from '#shared/exports/destination';
import { directory, jobId } from '#shared/exports/schemas';

const identity = {
  projectId: 'p-1',
  clusterId: 'c-1',
  backupId: 'b-1',
  integrationId: 'integ-aaaaaaaaaaaaaaaaaaaa',
  directory: 'exports',
};

describe('export directory', () => {
  it.each(['exports', 'team-a/backups', "a_b.c/(x)/y!z/q'r", 'x'.repeat(256)])('accepts %s', (value) => {
    expect(directoryProblem(value)).toBeUndefined();
    expect(directory.safeParse(value).success).toBe(true);
  });

  it('reads a trailing "/" as the folder it names', () => {
    expect(directoryProblem('exports/')).toBe('must not end with "/"');
    expect(directory.parse('exports/')).toBe('exports');
    expect(directory.parse('team-a/backups//')).toBe('team-a/backups');
    expect(directory.safeParse('/').success).toBe(false);
  });

  it.each([
    ['', 'must be 1 to 256 characters long'],
    ['x'.repeat(257), 'must be 1 to 256 characters long'],
    ['/exports', 'must be relative: remove the leading "/"'],
    ['a/../b', 'must not contain ".."'],
    ['..', 'must not contain ".."'],
    ['a..b', 'must not contain ".."'],
    ['a//b', 'must not contain empty segments ("//")'],
    ['a/./b', 'must not contain "." segments'],
    ['.', 'must not contain "." segments'],
    ['.s3-integration-probe', 'must not be inside .s3-integration-probe/, which validation reserves'],
    ['.s3-integration-probe/x', 'must not be inside .s3-integration-probe/, which validation reserves'],
  ])('refuses %j: %s', (value, problem) => {
    expect(directoryProblem(value)).toBe(problem);
    expect(directory.safeParse(value).success).toBe(false);
  });

  it.each([
    'a b',
    'tab\there',
    'new\nline',
    'nul\u0000',
    'zero\u200bwidth',
    'é',
    'star*',
    'what?',
    'back\\slash',
    'a%2Fb',
    'a#b',
    'a+b',
  ])('refuses characters outside S3 safe characters (and IAM wildcards): %j', (value) => {
    expect(directoryProblem(value)).toMatch(/may contain only/);
  });
});

describe('job identity', () => {
  it('is the same for the same export, and a valid job id', () => {
    expect(jobIdFor(identity)).toBe(jobIdFor({ ...identity }));
    expect(jobId.safeParse(jobIdFor(identity)).success).toBe(true);
  });

  it('differs when any part of the export differs', () => {
    const ids = new Set([
      jobIdFor(identity),
      jobIdFor({ ...identity, projectId: 'p-2' }),
      jobIdFor({ ...identity, clusterId: 'c-2' }),
      jobIdFor({ ...identity, backupId: 'b-2' }),
      jobIdFor({ ...identity, integrationId: 'integ-bbbbbbbbbbbbbbbbbbbb' }),
      jobIdFor({ ...identity, directory: 'exports/2' }),
      // Field boundaries cannot be shifted to forge a collision.
      jobIdFor({ ...identity, clusterId: 'c-1/b', backupId: '1' }),
    ]);
    expect(ids.size).toBe(7);
  });
});

describe('locations', () => {
  it('puts every file of an export under <directory>/<clusterId>/<backupId>/', () => {
    expect(backupDestinationPrefix('team/exports', 'c-1', 'b-7')).toBe('team/exports/c-1/b-7/');
  });

  it('reads a backup prefix as a folder, and refuses one that names the whole bucket', () => {
    expect(sourceFolder('backups/b-1')).toBe('backups/b-1/');
    expect(sourceFolder('backups/b-1/')).toBe('backups/b-1/');
    expect(isUsableSourcePrefix('backups/b-1')).toBe(true);
    expect(isUsableSourcePrefix('')).toBe(false);
    expect(isUsableSourcePrefix('/')).toBe(false);
    expect(isUsableSourcePrefix('//')).toBe(false);
  });
});
