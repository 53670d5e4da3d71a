/**
 * Randomized checks of the local IAM evaluator: generated identity policies, session policies and
 * requests, decided by the emulator (local/aws-endpoint/src/policy/) and by an independent evaluator written
 * from AWS's documentation (reference-evaluator.ts); plus invariants any correct evaluator keeps.
 * fast-check shrinks a disagreement to a minimal policy and prints its seed to replay it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Caller, PolicyDocument, PolicyStatement } from '#endpoint/contract';
import { createAuthorizer, globalConditionKeys } from '#endpoint/policy/authorize';
import { parsePolicyDocument } from '#endpoint/policy/document';
import { referenceOutcome, type Outcome } from './reference-evaluator';

const ACCOUNT = '222222222222';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/customer`;
const NOW = Date.parse('2030-06-01T00:00:00Z');
const caller = (sessionPolicy?: PolicyDocument): Caller => ({
  accountId: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/customer/s`,
  accessKeyId: 'ASIAEXAMPLE',
  isRoot: false,
  roleArn: ROLE_ARN,
  ...(sessionPolicy ? { sessionPolicy } : {}),
});

const ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  'kms:Decrypt',
  'kms:GenerateDataKey',
  'sts:AssumeRole',
  'iam:GetRole',
];
const RESOURCES = [
  'arn:aws:s3:::bucket-a/exports/x.tar',
  'arn:aws:s3:::bucket-a',
  'arn:aws:s3:::bucket-a/a:b/c',
  `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234-abcd`,
  `arn:aws:iam::${ACCOUNT}:role/path/customer`,
  `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:g1:log-stream:s1`,
];

/** Context keys a request may carry, with values a policy may test them against. */
const CONTEXT_VALUES: Record<string, string[]> = {
  's3:prefix': ['exports/', 'exports/2024/', 'secret/', ''],
  'kms:ViaService': ['s3.us-east-1.amazonaws.com', 's3.eu-west-1.amazonaws.com'],
  'aws:TagKeys': ['team', 'env', 'owner'],
  'aws:SourceArn': [
    `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:validate`,
    `arn:aws:states:us-east-1:999999999999:stateMachine:x`,
  ],
  'aws:EpochTime': ['1700000000', '1900000000', 'not-a-number'],
  'aws:CurrentTime': ['2030-06-01T00:00:00Z', '2020-01-01T00:00:00Z'],
  'aws:SecureTransport': ['true', 'false', 'TRUE'],
  'aws:PrincipalAccount': [ACCOUNT, '333333333333'],
};
const KEYS = Object.keys(CONTEXT_VALUES);
/**
 * Operator families and the keys they are meant for. AWS documents each family for values of
 * its type (an ARN for Arn*, a number for Numeric*, ...); what it does with a value of another
 * type is not documented, so pairing them would compare guesses, not AWS.
 */
const STRING_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
];
const OPERATORS_BY_KEY: Record<string, string[]> = {
  'aws:SourceArn': [...STRING_OPERATORS, 'ArnLike', 'ArnNotLike', 'ArnEquals', 'ArnNotEquals'],
  'aws:SecureTransport': [...STRING_OPERATORS, 'Bool'],
  'aws:EpochTime': [
    ...STRING_OPERATORS,
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
    'DateLessThan',
    'DateGreaterThanEquals',
  ],
  'aws:CurrentTime': [
    ...STRING_OPERATORS,
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
  ],
};

/** A wildcard version of a string: some characters become `?`, some runs `*`. */
const wildcarded = (text: string) =>
  fc.array(fc.integer({ min: 0, max: Math.max(0, text.length - 1) }), { maxLength: 3 }).chain((cuts) =>
    fc.constantFrom(...['*', '?', 'keep']).map((mark) => {
      let out = text;
      for (const cut of [...new Set(cuts)].sort((a, b) => b - a))
        out = mark === 'keep' ? out : `${out.slice(0, cut)}${mark}${out.slice(cut + 1)}`;
      return out;
    }),
  );

/** Resource patterns: '*', exact ARNs, wildcarded ARNs, and ARNs cut after a segment with or without a trailing '*'. */
const resourcePattern = fc.oneof(
  fc.constant('*'),
  fc.constantFrom(...RESOURCES),
  // IAM stores only resources that are `*` or start with `arn:`, so wildcards go after that prefix.
  fc.constantFrom(...RESOURCES).chain((arn) => wildcarded(arn.slice('arn:'.length)).map((rest) => `arn:${rest}`)),
  fc
    .tuple(fc.constantFrom(...RESOURCES), fc.integer({ min: 2, max: 5 }), fc.constantFrom('*', '', 'x*'))
    .map(([arn, keep, tail]) => `${arn.split(':').slice(0, keep).join(':')}:${tail}`),
);
/** Wildcards only in the action name: IAM refuses them in the service prefix. */
const actionPattern = fc.oneof(
  fc.constant('*'),
  fc.constantFrom(...ACTIONS),
  fc.constantFrom(...ACTIONS).chain((action) => {
    const [service = '', name = ''] = action.split(':');
    return wildcarded(name).map((pattern) => `${service}:${pattern}`);
  }),
  fc.constantFrom('s3:*', 'kms:*', 'S3:GETOBJECT'),
);

const conditionValue = (key: string) =>
  fc.oneof(
    fc.constantFrom(...(CONTEXT_VALUES[key] ?? [''])),
    fc.constantFrom(...(CONTEXT_VALUES[key] ?? [''])).chain(wildcarded),
  );

/** One operator and key of a condition block: `Null`, or a family member with set prefix or IfExists. */
const operatorAndKey = fc.constantFrom(...KEYS).chain((key) =>
  fc.tuple(
    fc.oneof(
      fc.constant('Null'),
      fc
        .tuple(
          fc.constantFrom('', 'ForAnyValue:', 'ForAllValues:'),
          fc.constantFrom(...(OPERATORS_BY_KEY[key] ?? STRING_OPERATORS)),
          fc.constantFrom('', 'IfExists'),
        )
        .map(([set, operator, ifExists]) => `${set}${operator}${set ? '' : ifExists}`),
    ),
    fc.constant(key),
    fc.array(conditionValue(key), { minLength: 1, maxLength: 2 }),
  ),
);

const condition: fc.Arbitrary<PolicyStatement['Condition']> = fc
  .array(operatorAndKey, { maxLength: 2 })
  .map((entries) => {
    if (entries.length === 0) return undefined;
    const block: Record<string, Record<string, string[]>> = {};
    for (const [operator, key, values] of entries) {
      block[operator] = {
        ...block[operator],
        [key]: operator === 'Null' ? [values.length > 1 ? 'true' : 'false'] : values,
      };
    }
    return block;
  });

const statement: fc.Arbitrary<PolicyStatement> = fc
  .record({
    Effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny'),
    notAction: fc.constantFrom(false, false, true),
    actions: fc.array(actionPattern, { minLength: 1, maxLength: 2 }),
    notResource: fc.constantFrom(false, false, true),
    resources: fc.array(resourcePattern, { minLength: 1, maxLength: 2 }),
    Condition: condition,
  })
  .map(({ Effect, notAction, actions, notResource, resources, Condition }) => ({
    Effect,
    ...(notAction ? { NotAction: actions } : { Action: actions }),
    ...(notResource ? { NotResource: resources } : { Resource: resources }),
    ...(Condition ? { Condition } : {}),
  }));

const policy = fc
  .array(statement, { minLength: 1, maxLength: 3 })
  .map((Statement): PolicyDocument => ({ Version: '2012-10-17', Statement }));

const request = fc.record({
  action: fc.constantFrom(...ACTIONS),
  resource: fc.constantFrom(...RESOURCES),
  context: fc
    .subarray(KEYS)
    .chain((keys) =>
      fc.tuple(
        ...keys.map((key) => fc.tuple(fc.constant(key), fc.subarray(CONTEXT_VALUES[key] ?? [], { minLength: 1 }))),
      ),
    )
    .map((entries) => Object.fromEntries(entries) as Record<string, string[]>),
});

const EMULATOR_OUTCOME: Record<string, Outcome> = {
  'with an explicit deny in an identity-based policy': 'identity-explicit-deny',
  'with an explicit deny in a session policy': 'session-explicit-deny',
  'because no identity-based policy allows': 'identity-implicit-deny',
  'because no session policy allows': 'session-implicit-deny',
};

function emulatorOutcome(
  identity: PolicyDocument[],
  session: PolicyDocument | undefined,
  req: { action: string; resource: string; context: Record<string, string[]> },
): Outcome {
  const { identityDecision } = createAuthorizer(
    () => identity,
    () => NOW,
  );
  const { decision, reason } = identityDecision(caller(session), req);
  if (decision === 'Allow') return 'allow';
  const found = Object.entries(EMULATOR_OUTCOME).find(([prefix]) => reason.startsWith(prefix));
  if (!found) throw new Error(`unexpected reason ${reason}`);
  return found[1];
}

/** The reference sees the same global keys the emulator adds, documented as always present. */
function referenceFor(
  identity: PolicyDocument[],
  session: PolicyDocument | undefined,
  req: { action: string; resource: string; context: Record<string, string[]> },
): Outcome {
  const globals = Object.fromEntries(
    Object.entries(globalConditionKeys(caller(session), NOW)).map(([key, value]) => [key, [value]]),
  );
  return referenceOutcome(identity, session, { ...req, context: { ...globals, ...req.context } });
}

const RUNS = Number(process.env.IAM_DIFF_RUNS ?? 1500);

describe('the local IAM evaluator against an independent one (randomized)', () => {
  it('reaches the same decision, for the same reason, on generated policies and requests', () => {
    fc.assert(
      fc.property(
        fc.array(policy, { maxLength: 2 }),
        fc.option(policy, { nil: undefined }),
        request,
        (identity, session, req) => {
          // Only documents IAM would store are ever evaluated: a generated one it rejects is a bug here.
          for (const doc of [...identity, ...(session ? [session] : [])])
            parsePolicyDocument(JSON.stringify(doc), 'identity');
          expect(emulatorOutcome(identity, session, req)).toBe(referenceFor(identity, session, req));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('invariants of the local IAM evaluator (randomized)', () => {
  const allowed = (
    identity: PolicyDocument[],
    session: PolicyDocument | undefined,
    req: Parameters<typeof emulatorOutcome>[2],
  ) => emulatorOutcome(identity, session, req) === 'allow';

  it('adding a statement with a Deny never grants, adding an Allow never revokes', () => {
    fc.assert(
      fc.property(fc.array(policy, { maxLength: 2 }), statement, request, (identity, extra, req) => {
        const before = allowed(identity, undefined, req);
        const withExtra = [...identity, { Version: '2012-10-17', Statement: [extra] }];
        if (extra.Effect === 'Deny') expect(!before && allowed(withExtra, undefined, req)).toBe(false);
        else expect(before && !allowed(withExtra, undefined, req)).toBe(false);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it(
    'a session policy never widens what the identity policies allow, and the order of statements never ' + 'matters',
    () => {
      fc.assert(
        fc.property(fc.array(policy, { maxLength: 2 }), policy, request, (identity, session, req) => {
          if (allowed(identity, session, req)) expect(allowed(identity, undefined, req)).toBe(true);
          const reversed = identity
            .map((doc) => ({
              ...doc,
              Statement: [...(Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement])].reverse(),
            }))
            .reverse();
          expect(emulatorOutcome(reversed, session, req)).toBe(emulatorOutcome(identity, session, req));
        }),
        { numRuns: Math.ceil(RUNS / 3) },
      );
    },
  );
});
