/**
 * The IAM policy engine on its own: identity and trust policy evaluation, conditions, the authorize decision
 * and its AccessDenied messages, and the parsing of policy documents.
 */
import { describe, expect, it } from 'vitest';
import type { Caller, PolicyDocument, PolicyStatement } from '#endpoint/contract';
import { createAuthorizer } from '#endpoint/policy/authorize';
import { parsePolicyDocument } from '#endpoint/policy/document';
import { evaluatePolicies, evaluateTrustPolicy } from '#endpoint/policy/evaluate';

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const allow = (
  Action: string | string[],
  Resource: string | string[] = '*',
  Condition?: PolicyStatement['Condition'],
): PolicyStatement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const BUCKET_OBJECT = 'arn:aws:s3:::customer-bucket/exports/a.tar';

describe('evaluatePolicies', () => {
  it('allows an action the policy names on a matching resource', () => {
    expect(
      evaluatePolicies([doc(allow('s3:PutObject', 'arn:aws:s3:::customer-bucket/*'))], {
        action: 's3:PutObject',
        resource: BUCKET_OBJECT,
      }),
    ).toBe('Allow');
  });

  it('denies implicitly when no statement applies', () => {
    expect(
      evaluatePolicies([doc(allow('s3:GetObject', 'arn:aws:s3:::customer-bucket/*'))], {
        action: 's3:PutObject',
        resource: BUCKET_OBJECT,
      }),
    ).toBe('ImplicitDeny');
    expect(evaluatePolicies([], { action: 's3:PutObject', resource: BUCKET_OBJECT })).toBe('ImplicitDeny');
  });

  it('lets an explicit Deny in any policy win over an Allow', () => {
    const policies = [
      doc(allow('s3:*')),
      doc({ Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::customer-bucket/exports/*' }),
    ];
    expect(evaluatePolicies(policies, { action: 's3:PutObject', resource: BUCKET_OBJECT })).toBe('ExplicitDeny');
    expect(evaluatePolicies(policies, { action: 's3:GetObject', resource: BUCKET_OBJECT })).toBe('Allow');
  });

  it('matches actions with * and ? wildcards, case-insensitively', () => {
    const policy = [doc(allow(['s3:get*', 'kms:GenerateDataKe?']))];
    expect(evaluatePolicies(policy, { action: 's3:GetBucketLocation', resource: 'arn:aws:s3:::b' })).toBe('Allow');
    expect(
      evaluatePolicies(policy, { action: 'kms:GenerateDataKey', resource: 'arn:aws:kms:us-east-1:222222222222:key/k' }),
    ).toBe('Allow');
    expect(
      evaluatePolicies(policy, {
        action: 'kms:GenerateDataKeyPair',
        resource: 'arn:aws:kms:us-east-1:222222222222:key/k',
      }),
    ).toBe('ImplicitDeny');
    expect(evaluatePolicies(policy, { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' })).toBe('ImplicitDeny');
  });

  it('matches resources with wildcards but keeps ARN parts apart and is case-sensitive', () => {
    const policy = [doc(allow('s3:GetObject', 'arn:aws:s3:::customer-bucket/exports/??.tar'))];
    expect(
      evaluatePolicies(policy, { action: 's3:GetObject', resource: 'arn:aws:s3:::customer-bucket/exports/ab.tar' }),
    ).toBe('Allow');
    expect(
      evaluatePolicies(policy, { action: 's3:GetObject', resource: 'arn:aws:s3:::customer-bucket/exports/abc.tar' }),
    ).toBe('ImplicitDeny');
    expect(
      evaluatePolicies(policy, { action: 's3:GetObject', resource: 'arn:aws:s3:::Customer-Bucket/exports/ab.tar' }),
    ).toBe('ImplicitDeny');
    const bucketOnly = [doc(allow('s3:ListBucket', 'arn:aws:s3:::customer-bucket'))];
    expect(evaluatePolicies(bucketOnly, { action: 's3:ListBucket', resource: 'arn:aws:s3:::customer-bucket-2' })).toBe(
      'ImplicitDeny',
    );
  });

  it('lets a trailing * of a short resource pattern run on past the colons, as IAM does', () => {
    const kmsKey = {
      action: 'kms:GenerateDataKey',
      resource: 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    };
    const role = { action: 'iam:GetRole', resource: 'arn:aws:iam::222222222222:role/path/customer' };
    expect(evaluatePolicies([doc(allow('kms:*', 'arn:aws:kms:*'))], kmsKey)).toBe('Allow');
    expect(evaluatePolicies([doc(allow('iam:*', 'arn:aws:iam::*'))], role)).toBe('Allow');
    expect(evaluatePolicies([doc(allow('kms:*', 'arn:aws:kms:us-east-1:2222*'))], kmsKey)).toBe('Allow');
    // The parts before the expanding one still have to match, and without a trailing * nothing expands.
    expect(evaluatePolicies([doc(allow('kms:*', 'arn:aws:kms:eu-west-1:*'))], kmsKey)).toBe('ImplicitDeny');
    expect(evaluatePolicies([doc(allow('kms:*', 'arn:aws:s3:*'))], kmsKey)).toBe('ImplicitDeny');
    expect(evaluatePolicies([doc(allow('kms:*', 'arn:aws:kms:us-east-1'))], kmsKey)).toBe('ImplicitDeny');
    // A Deny written the short way applies too, and NotResource complements the expanded match.
    expect(
      evaluatePolicies(
        [doc(allow('kms:*')), doc({ Effect: 'Deny', Action: 'kms:*', Resource: 'arn:aws:kms:*' })],
        kmsKey,
      ),
    ).toBe('ExplicitDeny');
    expect(evaluatePolicies([doc({ Effect: 'Allow', Action: 'iam:*', NotResource: 'arn:aws:iam::*' })], role)).toBe(
      'ImplicitDeny',
    );
  });

  it('applies NotAction and NotResource as complements', () => {
    const policy = [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })];
    expect(evaluatePolicies(policy, { action: 's3:PutObject', resource: BUCKET_OBJECT })).toBe('Allow');
    expect(evaluatePolicies(policy, { action: 'iam:CreateRole', resource: 'arn:aws:iam::222222222222:role/x' })).toBe(
      'ImplicitDeny',
    );
    const notResource = [
      doc(allow('s3:*')),
      doc({ Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::customer-bucket/*' }),
    ];
    expect(evaluatePolicies(notResource, { action: 's3:GetObject', resource: BUCKET_OBJECT })).toBe('Allow');
    expect(evaluatePolicies(notResource, { action: 's3:GetObject', resource: 'arn:aws:s3:::other/k' })).toBe(
      'ExplicitDeny',
    );
  });
});

describe('conditions', () => {
  const withCondition = (condition: PolicyStatement['Condition']) => [doc(allow('s3:PutObject', '*', condition))];
  const request = (context: Record<string, string | string[]>) => ({
    action: 's3:PutObject',
    resource: BUCKET_OBJECT,
    context,
  });

  it('StringEquals needs the key present with one of the listed values, key names ignore case', () => {
    const policy = withCondition({ StringEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'AES256'] } });
    expect(evaluatePolicies(policy, request({ 'S3:X-Amz-Server-Side-Encryption': 'aws:kms' }))).toBe('Allow');
    expect(evaluatePolicies(policy, request({ 's3:x-amz-server-side-encryption': 'AWS:KMS' }))).toBe('ImplicitDeny');
    expect(evaluatePolicies(policy, request({}))).toBe('ImplicitDeny');
  });

  it('StringNotEquals and StringNotLike hold when the key is absent or matches none', () => {
    const policy = withCondition({
      StringNotEquals: { 'aws:PrincipalAccount': '333333333333' },
      StringNotLike: { 's3:prefix': 'secret/*' },
    });
    expect(evaluatePolicies(policy, request({}))).toBe('Allow');
    expect(evaluatePolicies(policy, request({ 'aws:PrincipalAccount': '333333333333' }))).toBe('ImplicitDeny');
    expect(evaluatePolicies(policy, request({ 's3:prefix': 'secret/a' }))).toBe('ImplicitDeny');
  });

  it('StringLike, StringEqualsIgnoreCase, ArnLike and ArnEquals compare as IAM does', () => {
    expect(
      evaluatePolicies(
        withCondition({ StringLike: { 's3:prefix': 'exports/*' } }),
        request({ 's3:prefix': 'exports/2024/x' }),
      ),
    ).toBe('Allow');
    expect(
      evaluatePolicies(
        withCondition({ StringEqualsIgnoreCase: { 'aws:PrincipalType': 'assumedrole' } }),
        request({ 'aws:PrincipalType': 'AssumedRole' }),
      ),
    ).toBe('Allow');
    const arnLike = withCondition({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/export-*' } });
    expect(evaluatePolicies(arnLike, request({ 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/export-fn' }))).toBe(
      'Allow',
    );
    expect(evaluatePolicies(arnLike, request({ 'aws:PrincipalArn': 'arn:aws:iam::999999999999:role/export-fn' }))).toBe(
      'ImplicitDeny',
    );
    const arnEquals = withCondition({
      ArnEquals: { 'aws:SourceArn': 'arn:aws:states:us-east-1:111111111111:stateMachine:validate' },
    });
    expect(
      evaluatePolicies(
        arnEquals,
        request({ 'aws:SourceArn': 'arn:aws:states:us-east-1:111111111111:stateMachine:validate' }),
      ),
    ).toBe('Allow');
  });

  it('Bool and Null test presence and truth of a key', () => {
    const secure = withCondition({ Bool: { 'aws:SecureTransport': 'true' } });
    expect(evaluatePolicies(secure, request({ 'aws:SecureTransport': 'true' }))).toBe('Allow');
    expect(evaluatePolicies(secure, request({ 'aws:SecureTransport': 'false' }))).toBe('ImplicitDeny');
    const mustBeAbsent = withCondition({ Null: { 'sts:ExternalId': 'true' } });
    expect(evaluatePolicies(mustBeAbsent, request({}))).toBe('Allow');
    expect(evaluatePolicies(mustBeAbsent, request({ 'sts:ExternalId': 'x' }))).toBe('ImplicitDeny');
  });

  it('...IfExists holds when the key is absent and tests it when present', () => {
    const policy = withCondition({ StringEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } });
    expect(evaluatePolicies(policy, request({}))).toBe('Allow');
    expect(evaluatePolicies(policy, request({ 's3:x-amz-server-side-encryption': 'AES256' }))).toBe('ImplicitDeny');
  });

  it('ForAnyValue and ForAllValues quantify over multi-valued keys', () => {
    const any = withCondition({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'env'] } });
    expect(evaluatePolicies(any, request({ 'aws:TagKeys': ['owner', 'env'] }))).toBe('Allow');
    expect(evaluatePolicies(any, request({}))).toBe('ImplicitDeny');
    const all = withCondition({ 'ForAllValues:StringLike': { 'aws:TagKeys': ['team', 'env*'] } });
    expect(evaluatePolicies(all, request({ 'aws:TagKeys': ['team', 'env-name'] }))).toBe('Allow');
    expect(evaluatePolicies(all, request({ 'aws:TagKeys': ['team', 'owner'] }))).toBe('ImplicitDeny');
    expect(evaluatePolicies(all, request({}))).toBe('Allow');
  });

  it('a Deny with a condition only applies when the condition holds', () => {
    const policies = [
      doc(allow('s3:PutObject')),
      doc({
        Effect: 'Deny',
        Action: 's3:PutObject',
        Resource: '*',
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      }),
    ];
    expect(evaluatePolicies(policies, request({ 's3:x-amz-server-side-encryption': 'aws:kms' }))).toBe('Allow');
    expect(evaluatePolicies(policies, request({}))).toBe('ExplicitDeny');
  });
});

describe('evaluateTrustPolicy', () => {
  const root = (accountId: string): Caller => ({
    accountId,
    arn: `arn:aws:iam::${accountId}:root`,
    accessKeyId: `LOCAL${accountId}`,
    isRoot: true,
  });
  const session = (accountId: string, role: string): Caller => ({
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${role}/s`,
    accessKeyId: 'ASIAEXAMPLE',
    isRoot: false,
    roleArn: `arn:aws:iam::${accountId}:role/${role}`,
  });
  const trust = (principal: string | string[], condition?: PolicyStatement['Condition']): PolicyDocument =>
    doc({
      Effect: 'Allow',
      Principal: { AWS: principal },
      Action: 'sts:AssumeRole',
      ...(condition ? { Condition: condition } : {}),
    });
  const assume = (context: Record<string, string> = {}) => ({
    action: 'sts:AssumeRole',
    resource: 'arn:aws:iam::222222222222:role/r',
    context,
  });

  it('an account principal (id or :root ARN) matches every principal of that account only', () => {
    expect(evaluateTrustPolicy(trust('111111111111'), root('111111111111'), assume())).toBe('Allow');
    expect(
      evaluateTrustPolicy(trust('arn:aws:iam::111111111111:root'), session('111111111111', 'export-fn'), assume()),
    ).toBe('Allow');
    expect(evaluateTrustPolicy(trust('arn:aws:iam::111111111111:root'), root('333333333333'), assume())).toBe(
      'ImplicitDeny',
    );
  });

  it('a role principal matches sessions of that role only, * matches anyone', () => {
    const policy = trust('arn:aws:iam::111111111111:role/export-fn');
    expect(evaluateTrustPolicy(policy, session('111111111111', 'export-fn'), assume())).toBe('Allow');
    expect(evaluateTrustPolicy(policy, session('111111111111', 'other-fn'), assume())).toBe('ImplicitDeny');
    expect(evaluateTrustPolicy(policy, root('111111111111'), assume())).toBe('ImplicitDeny');
    expect(evaluateTrustPolicy(trust('*'), root('444444444444'), assume())).toBe('Allow');
  });

  it('the external-id condition needs the exact id and fails when none was sent', () => {
    const policy = trust('111111111111', { StringEquals: { 'sts:ExternalId': 'ext-123' } });
    expect(evaluateTrustPolicy(policy, root('111111111111'), assume({ 'sts:ExternalId': 'ext-123' }))).toBe('Allow');
    expect(evaluateTrustPolicy(policy, root('111111111111'), assume({ 'sts:ExternalId': 'ext-999' }))).toBe(
      'ImplicitDeny',
    );
    expect(evaluateTrustPolicy(policy, root('111111111111'), assume())).toBe('ImplicitDeny');
  });
});

describe('authorize', () => {
  const roleArn = 'arn:aws:iam::222222222222:role/customer';
  const caller = (sessionPolicy?: PolicyDocument): Caller => ({
    accountId: '222222222222',
    arn: 'arn:aws:sts::222222222222:assumed-role/customer/s',
    accessKeyId: 'ASIAEXAMPLE',
    isRoot: false,
    roleArn,
    ...(sessionPolicy ? { sessionPolicy } : {}),
  });
  const { authorize } = createAuthorizer((who) =>
    who.roleArn === roleArn ? [doc(allow('s3:*', 'arn:aws:s3:::customer-bucket*'))] : [],
  );
  const ownBucket = {
    action: 's3:PutObject',
    resource: BUCKET_OBJECT,
    context: { 'aws:ResourceAccount': '222222222222' },
  };

  it('allows what identity policies allow in the caller account and names the reason when it does not', () => {
    expect(() => authorize(caller(), ownBucket)).not.toThrow();
    expect(() => authorize(caller(), { ...ownBucket, action: 'kms:GenerateDataKey' })).toThrow(
      new RegExp(
        'User: arn:aws:sts::222222222222:assumed-role\\/customer\\/s is not authorized to perform: ' +
          'kms:GenerateDataKey .*because no identity-based policy allows',
      ),
    );
  });

  it('intersects with the session policy', () => {
    const narrowed = caller(doc(allow('s3:GetObject', '*')));
    expect(() => authorize(narrowed, { ...ownBucket, action: 's3:GetObject' })).not.toThrow();
    expect(() => authorize(narrowed, ownBucket)).toThrow(/no session policy allows/);
  });

  it('reports a Deny in the session policy as an explicit deny, even when no identity policy allows', () => {
    const denying = caller(doc(allow('s3:*'), { Effect: 'Deny', Action: 'kms:*', Resource: '*' }));
    const kms = { ...ownBucket, action: 'kms:GenerateDataKey', resource: 'arn:aws:kms:us-east-1:222222222222:key/k' };
    expect(() => authorize(denying, kms)).toThrow(
      /kms:GenerateDataKey on resource: \S+ with an explicit deny in a session policy$/,
    );
    // An identity-based Deny is found first, as AWS reports it.
    const { authorize: withIdentityDeny } = createAuthorizer(() => [
      doc({ Effect: 'Deny', Action: 'kms:*', Resource: '*' }),
    ]);
    expect(() => withIdentityDeny(denying, kms)).toThrow(/with an explicit deny in an identity-based policy$/);
  });

  it(
    'sets the global keys: aws:SecureTransport true (the common TLS-only Deny does not bite), principal and ' + 'time',
    () => {
      const tlsOnly = doc({
        Effect: 'Deny',
        Action: 's3:*',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      const ownAccountOnly = doc(
        allow('s3:PutObject', '*', {
          StringEquals: {
            'aws:PrincipalAccount': '222222222222',
            'aws:PrincipalType': 'AssumedRole',
            'aws:PrincipalArn': roleArn,
          },
          DateLessThan: { 'aws:CurrentTime': '2031-01-01T00:00:00Z' },
          NumericGreaterThan: { 'aws:EpochTime': '1700000000' },
        }),
      );
      const at = (iso: string) =>
        createAuthorizer(
          (who) => (who.roleArn === roleArn ? [tlsOnly, ownAccountOnly] : []),
          () => Date.parse(iso),
        ).authorize;
      expect(() => at('2030-06-01T00:00:00Z')(caller(), ownBucket)).not.toThrow();
      expect(() => at('2031-06-01T00:00:00Z')(caller(), ownBucket)).toThrow(/because no identity-based policy allows/);
      // What a service passes for the request wins over the global default.
      expect(() =>
        at('2030-06-01T00:00:00Z')(caller(), {
          ...ownBucket,
          context: { ...ownBucket.context, 'aws:SecureTransport': 'false' },
        }),
      ).toThrow(/with an explicit deny in an identity-based policy/);
    },
  );

  it('denies cross-account access and resources whose owner is unknown, even for root', () => {
    const root: Caller = {
      accountId: '111111111111',
      arn: 'arn:aws:iam::111111111111:root',
      accessKeyId: 'LOCAL111111111111',
      isRoot: true,
    };
    expect(() =>
      authorize(root, { action: 'kms:GenerateDataKey', resource: 'arn:aws:kms:us-east-1:111111111111:key/k' }),
    ).not.toThrow();
    expect(() =>
      authorize(root, { action: 'kms:GenerateDataKey', resource: 'arn:aws:kms:us-east-1:222222222222:key/k' }),
    ).toThrow(/resource-based policy/);
    expect(() => authorize(root, { action: 's3:PutObject', resource: BUCKET_OBJECT })).toThrow(
      /AccessDenied|not authorized/,
    );
  });
});

describe('parsePolicyDocument', () => {
  it('rejects what IAM rejects with MalformedPolicyDocument', () => {
    const malformed = (text: string, kind: 'identity' | 'trust' = 'identity') => {
      try {
        parsePolicyDocument(text, kind);
      } catch (error) {
        return (error as { code: string }).code;
      }
      return 'accepted';
    };
    expect(malformed('{not json')).toBe('MalformedPolicyDocument');
    expect(malformed(JSON.stringify({ Version: '2012-10-17' }))).toBe('MalformedPolicyDocument');
    expect(malformed(JSON.stringify(doc({ Effect: 'Maybe' as 'Allow', Action: 's3:*', Resource: '*' })))).toBe(
      'MalformedPolicyDocument',
    );
    expect(malformed(JSON.stringify(doc({ Effect: 'Allow', Action: 's3:*', Resource: '*', Principal: '*' })))).toBe(
      'MalformedPolicyDocument',
    );
    expect(
      malformed(
        JSON.stringify(
          doc({
            Effect: 'Allow',
            Action: 's3:*',
            Resource: '*',
            Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4' } },
          }),
        ),
      ),
    ).toBe('MalformedPolicyDocument');
    expect(malformed(JSON.stringify(doc({ Effect: 'Allow', Action: 'sts:AssumeRole' })), 'trust')).toBe(
      'MalformedPolicyDocument',
    );
    expect(
      malformed(
        JSON.stringify(doc({ Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'sts:AssumeRole' })),
        'trust',
      ),
    ).toBe('accepted');
  });

  it(
    'knows no condition operator named after an inherited property (constructor, toString, hasOwnProperty, ' +
      'valueOf)',
    () => {
      for (const operator of ['constructor', 'toString', 'ForAnyValue:hasOwnProperty', 'valueOfIfExists']) {
        const text = JSON.stringify(
          doc({
            Effect: 'Allow',
            Principal: '*',
            Action: 'sts:AssumeRole',
            Condition: { [operator]: { 'sts:ExternalId': 'x' } },
          }),
        );
        expect(() => parsePolicyDocument(text, 'trust'), operator).toThrow(
          expect.objectContaining({ code: 'MalformedPolicyDocument' }),
        );
        const statement = {
          Effect: 'Allow' as const,
          Principal: '*' as const,
          Action: 'sts:AssumeRole',
          Condition: { [operator]: { 'sts:ExternalId': 'x' } },
        };
        const caller: Caller = {
          accountId: '111111111111',
          arn: 'arn:aws:iam::111111111111:root',
          accessKeyId: 'LOCAL111111111111',
          isRoot: true,
        };
        expect(
          evaluateTrustPolicy(doc(statement), caller, {
            action: 'sts:AssumeRole',
            resource: 'arn:aws:iam::222222222222:role/r',
            context: { 'sts:ExternalId': 'x' },
          }),
        ).toBe('ImplicitDeny');
      }
    },
  );
});
