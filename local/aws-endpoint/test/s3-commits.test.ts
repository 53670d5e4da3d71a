/**
 * Commits of S3 writes: the CommitGate that orders them per key, and racing writes through the endpoint
 * that leave exactly one complete version.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitGate } from '#endpoint/s3/files';
import { CUSTOMER, startFixture, type Fixture } from './endpoint-fixture';
import { bodyBytes, createBucket, rootS3, storedFiles, uniqueBucket } from './s3-helpers';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('CommitGate', () => {
  it('runs tasks for one key in order, tasks for other keys alongside', async () => {
    const gate = new CommitGate();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
    };
    await Promise.all([gate.forKey('a', task('a1')), gate.forKey('a', task('a2')), gate.forKey('b', task('b1'))]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('runs an exclusive task after the commits under way and before the ones that come later', async () => {
    const gate = new CommitGate();
    const log: string[] = [];
    const running = gate.forKey('a', async () => {
      await tick();
      log.push('commit before');
    });
    const alone = gate.alone(async () => {
      log.push('alone start');
      await tick();
      log.push('alone end');
    });
    const later = gate.forKey('b', async () => void log.push('commit after'));
    await Promise.all([running, alone, later]);
    expect(log).toEqual(['commit before', 'alone start', 'alone end', 'commit after']);
  });

  it('keeps going after a failed task', async () => {
    const gate = new CommitGate();
    await expect(gate.forKey('a', async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    await expect(gate.forKey('a', async () => 'next')).resolves.toBe('next');
    await expect(gate.alone(async () => 'alone')).resolves.toBe('alone');
  });
});

describe('concurrent writes through the endpoint', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('leaves exactly one complete version and no stray data after racing writes to one key', async () => {
    const s3 = rootS3(fixture, CUSTOMER);
    const bucket = await createBucket(s3, uniqueBucket('race'));
    const bodies = Array.from({ length: 20 }, (_, index) => Buffer.alloc(10_000 + index, index));
    await Promise.all(bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'contended', Body }))));
    const stored = await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'contended' }))).Body);
    expect(bodies.some((body) => body.equals(stored))).toBe(true);
    expect(storedFiles(fixture, bucket).data).toHaveLength(1);
  });
});
