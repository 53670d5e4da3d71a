/**
 * The JSON services of the endpoint through the real clients: EventBridge PutEvents with its buses'
 * resource policies, Step Functions executions through the runtime hooks, and SQS sends.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CUSTOMER,
  PLATFORM,
  allowAll,
  clientConfig,
  createRole,
  failure,
  rootCredentials,
  serviceSession,
  startFixture,
  trustService,
  type Fixture,
} from './endpoint-fixture';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

const STATE_MACHINE = `arn:aws:states:us-east-1:${PLATFORM}:stateMachine:validate-integration`;
const platform = () => clientConfig(fixture, rootCredentials(PLATFORM));
const platformRole = async (name: string, permissions: ReturnType<typeof allowAll>) =>
  serviceSession(fixture, await createRole(fixture, PLATFORM, name, trustService(), permissions));

describe('EventBridge PutEvents', () => {
  it('hands valid entries to the runtime and reports invalid ones per entry', async () => {
    const events = new EventBridgeClient(platform());
    const answer = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'platform.projects',
            DetailType: 'Project Upserted',
            Detail: JSON.stringify({ projectId: 'p1', orgId: 'o1', plan: 'enterprise' }),
          },
          { Source: 'platform.clusters', DetailType: 'Cluster Upserted', Detail: 'not json' },
        ],
      }),
    );
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries?.[0]?.EventId).toBeTruthy();
    expect(answer.Entries?.[1]).toMatchObject({ ErrorCode: 'InvalidArgument' });
    expect(fixture.hooks.events).toEqual([
      {
        EventId: answer.Entries?.[0]?.EventId,
        Source: 'platform.projects',
        DetailType: 'Project Upserted',
        Detail: JSON.stringify({ projectId: 'p1', orgId: 'o1', plan: 'enterprise' }),
        EventBusName: `arn:aws:events:us-east-1:${PLATFORM}:event-bus/default`,
        account: PLATFORM,
      },
    ]);
  });

  it('refuses sources of AWS services (aws.*) per entry, so nobody can forge an S3 notification', async () => {
    const events = new EventBridgeClient(platform());
    const before = fixture.hooks.events.length;
    const forged = {
      Source: 'aws.s3',
      DetailType: 'Object Created',
      Detail: JSON.stringify({ bucket: { name: 'platform-audit-logs' } }),
    };
    const answer = await events.send(
      new PutEventsCommand({ Entries: [forged, { ...forged, Source: 'aws.s3x' }, { ...forged, Source: 'awss3' }] }),
    );
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries?.slice(0, 2)).toEqual([
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
    ]);
    expect(fixture.hooks.events.slice(before).map((event) => event.Source)).toEqual(['awss3']);
  });

  it('needs events:PutEvents on the bus', async () => {
    const denied = new EventBridgeClient(clientConfig(fixture, await platformRole('no-events', allowAll('s3:*'))));
    const before = fixture.hooks.events.length;
    const error = await failure(
      denied.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] })),
    );
    expect(error).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    expect(fixture.hooks.events.length).toBe(before);
    const allowed = new EventBridgeClient(
      clientConfig(
        fixture,
        await platformRole(
          'events-ok',
          allowAll('events:PutEvents', `arn:aws:events:us-east-1:${PLATFORM}:event-bus/default`),
        ),
      ),
    );
    await expect(
      allowed.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] })),
    ).resolves.toMatchObject({ FailedEntryCount: 0 });
  });
});

describe('EventBridge buses and their resource policies', () => {
  const busArn = (name: string) => `arn:aws:events:us-east-1:${PLATFORM}:event-bus/${name}`;
  const entry = (bus: string, extra: object = {}) => ({
    Source: 'platform.projects',
    DetailType: 'Project Upserted',
    Detail: '{}',
    EventBusName: bus,
    ...extra,
  });
  const allowAccount = (account: string, bus: string) => ({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'producers', Effect: 'Allow', Principal: { AWS: account }, Action: 'events:PutEvents', Resource: bus },
    ],
  });

  it("lets another account put events on a bus whose policy admits it, as the events' account", async () => {
    fixture.hooks.buses.set(busArn('admits-customer'), allowAccount(CUSTOMER, busArn('admits-customer')) as never);
    const customer = new EventBridgeClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
    await expect(
      customer.send(
        new PutEventsCommand({
          Entries: [entry(busArn('admits-customer'), { Time: new Date('2026-01-02T03:04:05Z') })],
        }),
      ),
    ).resolves.toMatchObject({ FailedEntryCount: 0 });
    expect(fixture.hooks.events.at(-1)).toMatchObject({
      EventBusName: busArn('admits-customer'),
      account: CUSTOMER,
      Time: '2026-01-02T03:04:05Z',
    });
  });

  it(
    'refuses another account with AccessDeniedException when the policy does not admit it, or the bus has none, or ' +
      'does not exist',
    async () => {
      fixture.hooks.buses.set(busArn('admits-other'), allowAccount('333333333333', busArn('admits-other')) as never);
      fixture.hooks.buses.set(busArn('no-policy'), undefined);
      const customer = new EventBridgeClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
      const before = fixture.hooks.events.length;
      for (const bus of [busArn('admits-other'), busArn('no-policy'), busArn('missing'), busArn('default')]) {
        const error = await failure(customer.send(new PutEventsCommand({ Entries: [entry(bus)] })));
        expect(error, bus).toMatchObject({ name: 'AccessDeniedException', status: 400 });
        expect(error.message).toContain('because no resource-based policy allows the events:PutEvents action');
      }
      expect(fixture.hooks.events.length).toBe(before);
    },
  );

  it(
    'puts a bare bus name in the caller account: a customer naming the platform bus by name reaches only its own ' +
      'account',
    async () => {
      const customer = new EventBridgeClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
      await customer.send(new PutEventsCommand({ Entries: [entry('platform-events')] }));
      expect(fixture.hooks.events.at(-1)).toMatchObject({
        EventBusName: `arn:aws:events:us-east-1:${CUSTOMER}:event-bus/platform-events`,
        account: CUSTOMER,
      });
    },
  );

  it(
    'fails the whole request when one entry is refused, and honours an explicit Deny in the bus policy even for ' +
      'the owner',
    async () => {
      const bus = busArn('denies-role');
      const role = await createRole(fixture, PLATFORM, 'denied-producer', trustService(), allowAll('events:PutEvents'));
      fixture.hooks.buses.set(bus, {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: { AWS: role }, Action: 'events:PutEvents', Resource: bus }],
      });
      const denied = new EventBridgeClient(clientConfig(fixture, serviceSession(fixture, role)));
      const before = fixture.hooks.events.length;
      const error = await failure(
        denied.send(new PutEventsCommand({ Entries: [entry(busArn('default')), entry(bus)] })),
      );
      expect(error).toMatchObject({ name: 'AccessDeniedException', status: 400 });
      expect(error.message).toContain('explicit deny in a resource-based policy');
      expect(fixture.hooks.events.length).toBe(before);
    },
  );

  it('admits by events:source condition only the sources the policy names', async () => {
    const bus = busArn('by-source');
    fixture.hooks.buses.set(bus, {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: CUSTOMER },
          Action: 'events:PutEvents',
          Resource: bus,
          Condition: { StringEquals: { 'events:source': 'platform.clusters' } },
        },
      ],
    });
    const customer = new EventBridgeClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
    expect(await failure(customer.send(new PutEventsCommand({ Entries: [entry(bus)] })))).toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(
      customer.send(new PutEventsCommand({ Entries: [entry(bus, { Source: 'platform.clusters' })] })),
    ).resolves.toMatchObject({ FailedEntryCount: 0 });
  });
});

describe('Step Functions', () => {
  it('starts and describes executions through the runtime hooks', async () => {
    const sfn = new SFNClient(platform());
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: STATE_MACHINE,
        name: 'integ-1-run',
        input: '{"integrationId":"integ-1"}',
      }),
    );
    expect(started.executionArn).toBe(
      `arn:aws:states:us-east-1:${PLATFORM}:execution:validate-integration:integ-1-run`,
    );
    expect(started.startDate).toEqual(new Date('2030-01-02T03:04:05Z'));
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      stateMachineArn: STATE_MACHINE,
      name: 'integ-1-run',
      output: '{"integrationId":"integ-1"}',
    });
  });

  it("answers the hooks' ExecutionAlreadyExists and an unknown execution in the JSON protocol", async () => {
    const sfn = new SFNClient(platform());
    await sfn.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: 'once', input: '{}' }));
    expect(
      await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name: 'once', input: '{}' }))),
    ).toMatchObject({ name: 'ExecutionAlreadyExists', status: 400 });
    const unknown = `arn:aws:states:us-east-1:${PLATFORM}:execution:validate-integration:never`;
    expect(await failure(sfn.send(new DescribeExecutionCommand({ executionArn: unknown })))).toMatchObject({
      name: 'ExecutionDoesNotExist',
      status: 400,
    });
  });

  it("denies starting another account's state machine", async () => {
    const sfn = new SFNClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
    expect(
      await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, input: '{}' }))),
    ).toMatchObject({ name: 'AccessDeniedException', status: 400 });
  });
});

describe('SQS', () => {
  const queueUrl = () => `${fixture.endpoint.url}/${PLATFORM}/export-jobs`;

  it('sends single and batched messages with the MD5 the SDK verifies', async () => {
    const sqs = new SQSClient(platform());
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: '{"jobId":"j1"}' }));
    expect(sent.MessageId).toBeTruthy();
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl(),
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
        ],
      }),
    );
    expect(batch.Successful?.map((entry) => entry.Id)).toEqual(['a', 'b']);
    expect(fixture.hooks.messages).toEqual([
      { queueUrl: queueUrl(), bodies: ['{"jobId":"j1"}'] },
      { queueUrl: queueUrl(), bodies: ['one', 'two'] },
    ]);
  });

  it('needs sqs:SendMessage on the queue', async () => {
    const sqs = new SQSClient(
      clientConfig(
        fixture,
        await platformRole('other-queue', allowAll('sqs:SendMessage', `arn:aws:sqs:us-east-1:${PLATFORM}:other`)),
      ),
    );
    expect(await failure(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: 'x' })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
  });
});
