/**
 * Local schedules: schedule events run at least once a minute whatever the rate, in the Scheduled Event
 * envelope, never two runs of one function at once.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalSchedules, periodMs } from '#runtime/schedules';
import { callsOf, fixtureCalls } from './fixtures/runtime/functions/calls';
import { eventually, loadFixtureRuntime, type FixtureRuntime } from './support/fixture-runtime';

let runtime: FixtureRuntime;
let schedules: LocalSchedules | undefined;

beforeAll(async () => {
  runtime = await loadFixtureRuntime();
});

beforeEach(() => {
  fixtureCalls().length = 0;
});

afterEach(async () => {
  await schedules?.close();
  schedules = undefined;
});

describe('local schedules', () => {
  it('runs at least once a minute locally, whatever the rate', () => {
    schedules = new LocalSchedules(runtime.cloudFormation, runtime.functions);
    expect(schedules.schedules.map((schedule) => [schedule.fn.key, schedule.expression, schedule.intervalMs])).toEqual([
      ['recorder', 'rate(5 minutes)', 60_000],
    ]);
    expect(periodMs('rate(1 minute)', 'x')).toBe(60_000);
    expect(periodMs('rate(2 hours)', 'x')).toBe(7_200_000);
    expect(periodMs('cron(0/5 * * * ? *)', 'x')).toBe(60_000);
    expect(() => periodMs('every 5 minutes', 'x')).toThrow(/neither rate/);
  });

  it('passes the Scheduled Event envelope on every tick', async () => {
    schedules = new LocalSchedules(runtime.cloudFormation, runtime.functions, 0.2);
    schedules.start();
    const calls = await eventually(() => callsOf('recorder').length >= 2 && callsOf('recorder'));
    expect(calls[0]?.event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '111111111111',
      time: expect.stringMatching(/Z$/),
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:111111111111:rule/runtime-fixture-test-recorder-schedule-2-1'],
      detail: {},
    });
  });

  it('never overlaps two runs of the same function', async () => {
    schedules = new LocalSchedules(runtime.cloudFormation, runtime.functions);
    const [schedule] = schedules.schedules;
    if (!schedule) throw new Error('the fixture has a schedule');
    const slow = { ...schedule, input: { slowMs: 300 } };
    const first = schedules.fire(slow);
    const second = schedules.fire(slow);
    expect(second).toBe(first);
    await first;
    expect(callsOf('recorder')).toHaveLength(1);
    await schedules.fire(slow);
    expect(callsOf('recorder')).toHaveLength(2);
  });
});
