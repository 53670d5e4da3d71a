/**
 * The local EventBridge: matching events delivered to functions in the EventBridge envelope, retries and
 * dead-lettering, custom buses and their senders.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsError } from '@s3-integrations/aws-endpoint/contract';
import { AsyncInvoker } from '#runtime/async-invoker';
import { LocalEventBridge } from '#runtime/eventbridge';
import { callsOf, fixtureCalls } from './fixtures/runtime/functions/calls';
import { loadFixtureRuntime, type FixtureRuntime } from './support/fixture-runtime';

let runtime: FixtureRuntime;
let invoker: AsyncInvoker;
let bus: LocalEventBridge;

const unusedTargets = {
  sendToQueue: () => Promise.reject(new Error('no queue targets in the fixture')),
  startExecution: () => Promise.reject(new Error('no state machine targets in the fixture')),
};

beforeAll(async () => {
  runtime = await loadFixtureRuntime();
});

beforeEach(() => {
  fixtureCalls().length = 0;
  invoker = new AsyncInvoker(runtime.functions, { retryDelayMs: 10 });
  bus = new LocalEventBridge(runtime.cloudFormation, runtime.functions, invoker, unusedTargets);
});

function order(detail: Record<string, unknown>, source = 'fixture.orders') {
  return { Source: source, DetailType: 'Order Placed', Detail: JSON.stringify(detail) };
}

describe('local EventBridge', () => {
  it('delivers a matching event to the function in the EventBridge envelope', async () => {
    const [sent] = await bus.putEvents([order({ amount: 150 })]);
    await invoker.drain();
    const calls = callsOf('recorder');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.event).toEqual({
      version: '0',
      id: sent?.id,
      'detail-type': 'Order Placed',
      source: 'fixture.orders',
      account: '111111111111',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [],
      detail: { amount: 150 },
    });
  });

  it('ignores events the pattern does not match, and events on another bus', async () => {
    await bus.putEvents([
      order({ amount: 50 }),
      order({ amount: 150 }, 'fixture.refunds'),
      { ...order({ amount: 150 }), EventBusName: 'other-bus' },
    ]);
    await invoker.drain();
    expect(callsOf('recorder')).toHaveLength(0);
  });

  it('retries a failing delivery as many times as the function allows, then dead-letters it', async () => {
    const [sent] = await bus.putEvents([order({ amount: 150, fail: true })]);
    await invoker.drain();
    // maximumRetryAttempts: 1 in the fixture -> two attempts in all.
    expect(callsOf('recorder')).toHaveLength(2);
    expect(invoker.deadLetters).toEqual([
      { functionKey: 'recorder', eventId: sent?.id, attempts: 2, error: 'Error: recorder was told to fail' },
    ]);
  });

  it("serves the service's own buses with their policies, and only the stack account's buses have rules", () => {
    const partnerBus = 'arn:aws:events:us-east-1:111111111111:event-bus/runtime-fixture-test-partners';
    expect(bus.eventBus(partnerBus)).toEqual({
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: ['222222222222'] }, Action: 'events:PutEvents', Resource: partnerBus },
        ],
      },
    });
    expect(bus.eventBus('arn:aws:events:us-east-1:111111111111:event-bus/default')).toEqual({});
    expect(bus.eventBus('arn:aws:events:us-east-1:111111111111:event-bus/not-declared')).toBeUndefined();
    expect(bus.eventBus('arn:aws:events:us-east-1:222222222222:event-bus/default')).toEqual({});
    expect(
      bus.eventBus('arn:aws:events:us-east-1:222222222222:event-bus/runtime-fixture-test-partners'),
    ).toBeUndefined();
  });

  it("delivers an event on a custom bus, with the sender's account, to the rules of that bus only", async () => {
    const partnerBus = 'arn:aws:events:us-east-1:111111111111:event-bus/runtime-fixture-test-partners';
    const partner = { Source: 'fixture.partners', DetailType: 'Partner Event', Detail: '{}' };
    await bus.putEvents([{ ...partner, EventBusName: partnerBus, Time: '2026-01-02T03:04:05Z' }], {
      accountId: '222222222222',
    });
    // The same event from another account, on the default bus, or on the partner's own bus of that name: no rule.
    await bus.putEvents([{ ...partner, EventBusName: partnerBus }], { accountId: '333333333333' });
    await bus.putEvents([partner], { accountId: '222222222222' });
    await bus.putEvents([{ ...partner, EventBusName: 'runtime-fixture-test-partners' }], { accountId: '222222222222' });
    await invoker.drain();
    const calls = callsOf('recorder');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.event).toMatchObject({
      source: 'fixture.partners',
      account: '222222222222',
      time: '2026-01-02T03:04:05Z',
    });
  });

  it('refuses a detail that is not a JSON object', async () => {
    await expect(
      bus.putEvents([{ Source: 'fixture.orders', DetailType: 'Order Placed', Detail: '{not json' }]),
    ).rejects.toThrow(AwsError);
    await expect(
      bus.putEvents([{ Source: 'fixture.orders', DetailType: 'Order Placed', Detail: '[1]' }]),
    ).rejects.toThrow(/JSON object/);
  });
});
