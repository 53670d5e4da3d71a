/**
 * What each function's role may do, read from the code each function reaches (the use case, its
 * stores and clients), written as `Effect action resource`. The template test compares every
 * role with this list in both directions, so a new permission needs a deliberate change here, and
 * one the code no longer needs shows up as a failure too.
 *
 * Resources are shortened: `Table` = IntegrationsTable's ARN, `Table/index/X` = its index X,
 * a queue or the state machine by logical id, anything else as written. Every role also holds the
 * baseline checked separately: its own log group (logs:CreateLogStream, CreateLogGroup,
 * PutLogEvents) and X-Ray (PutTraceSegments, PutTelemetryRecords on `*`, which Active tracing needs).
 *
 * DynamoDB transactions (TransactWriteItems) are authorized per item: a Put needs PutItem, an
 * Update UpdateItem, a Delete DeleteItem. Project, cluster and backup records are read with GetItem
 * by the tenancy check (shared/projects/access.ts) of every API use case.
 */

const TABLE = 'IntegrationsTable';
const get = `Allow dynamodb:GetItem ${TABLE}`;
const put = `Allow dynamodb:PutItem ${TABLE}`;
const update = `Allow dynamodb:UpdateItem ${TABLE}`;
const remove = `Allow dynamodb:DeleteItem ${TABLE}`;
const query = `Allow dynamodb:Query ${TABLE}`;
const sendTo = (queue: string) => `Allow sqs:SendMessage ${queue}`;
const consume = (queue: string) =>
  ['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'].map((action) => `Allow sqs:${action} ${queue}`);
const startValidation = 'Allow states:StartExecution ValidationStateMachine';
/** Status-change events on the service's bus (shared/notifications/publish.ts). */
const publishEvents = 'Allow events:PutEvents PlatformEventBus';
/** Lambda's on-failure destination of the asynchronous (EventBridge-invoked) functions. */
const asyncFailures = sendTo('AsyncInvocationDeadLetterQueue');
/** Customer roles: any account, any name; the customer's trust policy and external ID are the gate. */
const assumeCustomerRoles = [
  'Allow sts:AssumeRole arn:aws:iam::*:role/*',
  'Deny sts:AssumeRole arn:aws:iam::${AWS::AccountId}:role/*',
];

/** The functions that may call sts:AssumeRole: the ones that act in customer buckets. */
export const CUSTOMER_FACING_FUNCTIONS = [
  'runValidationStage',
  'deliverAuditLogs',
  'forwardAuditLogs',
  'signAuditLogDigests',
  'runExportJob',
  'endDeadLetteredExport',
];
const batchWrite = `Allow dynamodb:BatchWriteItem ${TABLE}`;
const auditLogs = {
  list: 'Allow s3:ListBucket arn:aws:s3:::platform-audit-logs',
  read: 'Allow s3:GetObject arn:aws:s3:::platform-audit-logs/*',
};
const digestKey = (action: string) => `Allow kms:${action} AuditLogDigestKey`;

export const EXPECTED_PERMISSIONS: Record<string, string[]> = {
  // No AWS calls: health, the OpenAPI document, the served regions.
  getHealth: [],
  getOpenApi: [],
  listRegions: [],
  // insertIntegration: the usage item counted once if missing (Query, Put), then one transaction of
  // three Puts (integration, name, external ID) and an Update (the project's usage).
  createIntegration: [get, put, update, query],
  listIntegrations: [get, query],
  getIntegration: [get],
  getIntegrationSetup: [get],
  // The integration (access), then the project's forwardings (Query) for their lag histories.
  getIntegrationLagHistory: [get, query],
  // startValidation: beginValidation (Update), StartExecution, restoreAfterFailedStart (Update).
  // saveEdit: one transaction of an Update (the integration) and, for a new name, a Delete and a Put (its reservation).
  editIntegration: [get, update, remove, put],
  // saveNewRotation: one transaction of a Put (the new ID's tombstone) and an Update (the integration).
  startExternalIdRotation: [get, put, update],
  // deletePendingRotation: one transaction of two Updates (the integration, the new ID's tombstone).
  cancelExternalIdRotation: [get, update],
  setIntegrationRole: [get, update, startValidation],
  validateIntegration: [get, update, startValidation],
  // deleteIntegration: the usage item counted once if missing (Query, Put), then one transaction of
  // two Deletes and an Update (the project's usage).
  deleteIntegration: [get, remove, put, update, query],
  // putIfNewer: a conditional Put per event.
  // A moved cluster: a catch-up run of its former project's forwarding.
  recordPlatformEvent: [put, asyncFailures, sendTo('ForwardingQueue')],
  // run-store (GetItem, conditional Updates) and the customer's role (AssumeRole).
  // Every function that changes a status publishes it (publishEvents).
  runValidationStage: [get, update, ...assumeCustomerRoles, publishEvents],
  recordValidationInterruption: [get, update, publishEvents],
  // dueIntegrations (Query on RecheckIndex), beginRecheck and its restore (Update), StartExecution.
  recheckIntegrations: [`Allow dynamodb:Query ${TABLE}/index/RecheckIndex`, update, startValidation, asyncFailures],
  listClusters: [get, query],
  listBackups: [get, query],
  // insertForwarding/changeForwarding (Put, Update in a transaction), rollUpIntegrationHealth (Query, Update).
  putAuditLogForwarding: [get, put, update, query],
  getAuditLogForwarding: [get],
  // deleteForwarding (Delete, Update in a transaction), rollUpIntegrationHealth (Query, Update).
  deleteAuditLogForwarding: [get, remove, update, query],
  // updateForwardingOptions (Update); a resume asks for a catch-up run (SendMessage).
  patchAuditLogForwarding: [get, update, sendTo('ForwardingQueue')],
  // insertReplay: an Update of the forwarding and a Put of the job in one transaction; its first slice.
  startAuditLogReplay: [get, put, update, sendTo('ForwardingQueue')],
  getAuditLogReplay: [get],
  // The public key of the digests, and nothing else of the key.
  getAuditLogDigestKey: [digestKey('GetPublicKey')],
  // loadEnabledForwardings (ForwardingIndex), rollUpFromIndex (Get, Update), SendMessageBatch of
  // catch-up runs and digest runs.
  scheduleAuditLogForwarding: [
    `Allow dynamodb:Query ${TABLE}/index/ForwardingIndex`,
    get,
    update,
    sendTo('ForwardingQueue'),
    sendTo('DigestQueue'),
    asyncFailures,
  ],
  // The event path: the forwarding (Get, through the cluster owner, or its index shard for legacy
  // clusters), health and pending files (Update), the ledger (BatchWrite), the platform's file,
  // a catch-up request, the customer's role.
  deliverAuditLogs: [
    get,
    update,
    batchWrite,
    `Allow dynamodb:Query ${TABLE}/index/ForwardingIndex`,
    ...consume('AuditLogEventQueue'),
    sendTo('ForwardingQueue'),
    auditLogs.read,
    ...assumeCustomerRoles,
    publishEvents,
  ],
  // Catch-up runs and replay slices: lease, pending files, health, replay progress (Update), the
  // ledger (BatchWrite, Query); turning off the forwarding of a moved cluster (Delete + Update in a
  // transaction) and its integration's roll-up (Query); continuations; the platform's audit-log
  // bucket; the customer's role.
  forwardAuditLogs: [
    get,
    update,
    remove,
    query,
    batchWrite,
    ...consume('ForwardingQueue'),
    sendTo('ForwardingQueue'),
    auditLogs.list,
    auditLogs.read,
    ...assumeCustomerRoles,
    publishEvents,
  ],
  // The digest writer: the forwarding (Get), the ledger of an hour (Query), the chain's head and
  // health (Update), Sign with the digest key, the customer's role.
  signAuditLogDigests: [
    get,
    query,
    update,
    ...consume('DigestQueue'),
    digestKey('Sign'),
    ...assumeCustomerRoles,
    publishEvents,
  ],
  // insertJob/restartFailedJob: a Put and an Update (holdIntegration) in one transaction.
  startBackupExport: [get, put, update, sendTo('ExportQueue')],
  putBackupExportRule: [get, put],
  getBackupExportRule: [get],
  deleteBackupExportRule: [get, remove],
  listExportJobs: [get, query],
  getExportJob: [get],
  // submitExport as above, insertFailedJob (Put) for a refused export.
  startAutoExport: [get, put, update, sendTo('ExportQueue'), asyncFailures, publishEvents],
  // Leases and progress (Update, and both in transactions), the plan (BatchWrite), one record per
  // uploaded part (Put), checkpoints (Query), lanes and continuations (SendMessage, also for
  // SendMessageBatch), starting the next waiting job (Delete of its line entry), the platform's
  // backup buckets, the customer's role.
  runExportJob: [
    get,
    put,
    update,
    query,
    remove,
    `Allow dynamodb:BatchWriteItem ${TABLE}`,
    sendTo('ExportQueue'),
    ...consume('ExportQueue'),
    'Allow s3:ListBucket arn:aws:s3:::platform-backups-*',
    'Allow s3:GetObject arn:aws:s3:::platform-backups-*/*',
    ...assumeCustomerRoles,
    publishEvents,
  ],
  // The ExportSlotIndex; jobs, slots and waiting entries (Get, Update, Delete in transactions, Query
  // of the line); re-sent and started jobs' messages.
  sweepExportJobs: [
    `Allow dynamodb:Query ${TABLE}/index/ExportSlotIndex`,
    get,
    update,
    remove,
    query,
    sendTo('ExportQueue'),
    asyncFailures,
    publishEvents,
  ],
  // A dead letter's job (Get; the lease and the end: Update in a transaction with the integration and
  // the slot) and its integration (Get); the next job in line (Query of the line, Delete of its
  // entry, its message); its unfinished uploads aborted through the customer's role, as the
  // worker's failure path does.
  endDeadLetteredExport: [
    get,
    update,
    query,
    remove,
    sendTo('ExportQueue'),
    ...consume('ExportDeadLetterQueue'),
    ...assumeCustomerRoles,
    publishEvents,
  ],
};

/** The state machine invokes its two task functions, and delivers its logs and traces. */
export const EXPECTED_STATE_MACHINE_PERMISSIONS = [
  'Allow lambda:InvokeFunction RunValidationStageLambdaFunction',
  'Allow lambda:InvokeFunction RunValidationStageLambdaFunction:*',
  'Allow lambda:InvokeFunction RecordValidationInterruptionLambdaFunction',
  'Allow lambda:InvokeFunction RecordValidationInterruptionLambdaFunction:*',
  ...[
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
  ].map((action) => `Allow ${action} *`),
];

/**
 * The only actions that may have Resource `*`: AWS offers no resource-level permission for them
 * (X-Ray, and CloudWatch Logs' log delivery that Step Functions logging uses).
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);
