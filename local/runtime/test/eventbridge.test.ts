/**
 * The local EventBridge: events delivered to the targets of matching rules (with retries and dead
 * letters), the service's own buses and their policies, queue targets, and rules made at run time.
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

/** What the rules sent to queues, by queue ARN. */
const queued: Array<{ queueArn: string; body: string }> = [];
const targets = {
  sendToQueue: async (queueArn: string, body: string) => void queued.push({ queueArn, body }),
  startExecution: () => Promise.reject(new Error('no state machine targets in the fixture')),
};

beforeAll(async () => {
  runtime = await loadFixtureRuntime();
});

beforeEach(() => {
  fixtureCalls().length = 0;
  queued.length = 0;
  invoker = new AsyncInvoker(runtime.functions, { retryDelayMs: 10 });
  bus = new LocalEventBridge(runtime.cloudFormation, runtime.functions, invoker, targets);
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

  it("sends to a rule's queue target only when the queue policy lets EventBridge send for that rule", async () => {
    const rule = runtime.cloudFormation.resources.get('RelayRule');
    expect(rule).toMatchObject({
      ref: 'runtime-fixture-test-RelayRule',
      attributes: { Arn: 'arn:aws:events:us-east-1:111111111111:rule/runtime-fixture-test-RelayRule' },
    });
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => void errors.push(message);
    try {
      const [sent] = await bus.putEvents([
        { Source: 'fixture.orders', DetailType: 'Order Relayed', Detail: '{"amount":1}' },
      ]);
      expect(queued).toEqual([
        {
          queueArn: 'arn:aws:sqs:us-east-1:111111111111:RelayQueue',
          body: expect.stringContaining(`"id":"${sent?.id}"`),
        },
      ]);
      expect(JSON.parse(queued[0]?.body ?? '{}')).toMatchObject({
        source: 'fixture.orders',
        'detail-type': 'Order Relayed',
        detail: { amount: 1 },
      });
    } finally {
      console.error = original;
    }
    expect(errors).toEqual([
      expect.stringContaining(
        'the policy of queue arn:aws:sqs:us-east-1:111111111111:UnpermittedQueue does not let events.amazonaws.com ' +
          'send',
      ),
    ]);
  });

  it('refuses a detail that is not a JSON object', async () => {
    await expect(
      bus.putEvents([{ Source: 'fixture.orders', DetailType: 'Order Placed', Detail: '{not json' }]),
    ).rejects.toThrow(AwsError);
    await expect(
      bus.putEvents([{ Source: 'fixture.orders', DetailType: 'Order Placed', Detail: '[1]' }]),
    ).rejects.toThrow(/JSON object/);
  });

  describe('rules made at run time (PutRule, PutTargets, RemoveTargets, DeleteRule)', () => {
    const defaultBus = 'arn:aws:events:us-east-1:111111111111:event-bus/default';
    const recorderArn = () => {
      const recorder = runtime.functions.find('runtime-fixture-test-recorder');
      if (!recorder) throw new Error('the fixture has no recorder function');
      return runtime.functions.arnOf(recorder);
    };

    it('deliver matching events to their targets like declared rules, only while enabled and targeted', async () => {
      const rules = bus.ruleHooks();
      expect(rules.putRule(defaultBus, 'refunds', { source: ['fixture.refunds'] }, true)).toBe(
        'arn:aws:events:us-east-1:111111111111:rule/refunds',
      );
      rules.putTargets(defaultBus, 'refunds', [{ Id: 'recorder', Arn: recorderArn() }]);
      await bus.putEvents([order({ amount: 1 }, 'fixture.refunds')]);
      await invoker.drain();
      expect(callsOf('recorder')).toHaveLength(1);

      rules.putRule(defaultBus, 'refunds', { source: ['fixture.refunds'] }, false);
      await bus.putEvents([order({ amount: 2 }, 'fixture.refunds')]);
      rules.putRule(defaultBus, 'refunds', { source: ['fixture.refunds'] }, true);
      rules.removeTargets(defaultBus, 'refunds', ['recorder']);
      await bus.putEvents([order({ amount: 3 }, 'fixture.refunds')]);
      await invoker.drain();
      expect(callsOf('recorder')).toHaveLength(1);
      rules.deleteRule(defaultBus, 'refunds');
      expect(() => rules.putTargets(defaultBus, 'refunds', [])).toThrow(/Rule refunds does not exist/);
    });

    it(
      "refuse what EventBridge refuses: another account's or an unknown bus, a bad pattern, a rule with targets " +
        'deleted, a target the stack cannot reach',
      () => {
        const rules = bus.ruleHooks();
        const code = (call: () => unknown) => {
          try {
            call();
          } catch (error) {
            return (error as AwsError).code;
          }
          return 'no error';
        };
        expect(
          code(() =>
            rules.putRule('arn:aws:events:us-east-1:222222222222:event-bus/default', 'r', { source: ['x'] }, true),
          ),
        ).toBe('ResourceNotFoundException');
        expect(
          code(() =>
            rules.putRule('arn:aws:events:us-east-1:111111111111:event-bus/not-declared', 'r', { source: ['x'] }, true),
          ),
        ).toBe('ResourceNotFoundException');
        expect(code(() => rules.putRule(defaultBus, 'r', { source: 'not-a-list' }, true))).toBe(
          'InvalidEventPatternException',
        );
        rules.putRule(defaultBus, 'r', { source: ['x'] }, true);
        expect(
          code(() => rules.putTargets(defaultBus, 'r', [{ Id: 't', Arn: 'arn:aws:sns:us-east-1:111111111111:topic' }])),
        ).toBe('ValidationException');
        rules.putTargets(defaultBus, 'r', [{ Id: 't', Arn: 'arn:aws:sqs:us-east-1:111111111111:WorkQueue' }]);
        expect(code(() => rules.deleteRule(defaultBus, 'r'))).toBe('ValidationException');
        rules.removeTargets(defaultBus, 'r', ['t']);
        expect(code(() => rules.deleteRule(defaultBus, 'r'))).toBe('no error');
      },
    );
  });
});
