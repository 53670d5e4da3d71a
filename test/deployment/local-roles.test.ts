/**
 * The local stack runs each function as the role it builds from serverless.yml
 * (local/runtime/src/function-roles.ts); the deployment gets its roles from the framework and
 * serverless-iam-roles-per-function. Both must be the same role: same name, same statements in
 * the same order, Deny included, once the packaged template's intrinsics are resolved the way
 * the local stack resolves serverless.yml's. Otherwise a permission could work locally and fail
 * in AWS, or the other way round.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalCloudFormation } from '@s3-integrations/local-runtime/cloudformation';
import { functionRoles, type FunctionRole } from '@s3-integrations/local-runtime/function-roles';
import { DEFAULT_SERVERLESS_YML } from '@s3-integrations/local-runtime/paths';
import type { Yaml } from '@s3-integrations/local-runtime/serverless-yaml';
import { loadService } from '@s3-integrations/local-runtime/service-model';
import { functionsWithRoles, loadPackagedTemplate, props, type Template } from './template';

let template: Template;
let cloudFormation: LocalCloudFormation;
let local: Map<string, FunctionRole>;

beforeAll(() => {
  template = loadPackagedTemplate();
  // The template was packaged for stage dev in us-east-1, the local stack's defaults.
  cloudFormation = new LocalCloudFormation(loadService(DEFAULT_SERVERLESS_YML), 'http://127.0.0.1:4566');
  local = functionRoles(cloudFormation);
});

describe('local function roles', () => {
  it('are the deployed roles: name, inline policy name and every statement', () => {
    const deployed = functionsWithRoles(template);
    expect([...local.keys()].sort()).toEqual([...deployed.keys()].sort());
    for (const [key, { roleId }] of deployed) {
      const role = props(template.Resources[roleId]);
      const [policy, ...others] = role.Policies as Array<{ PolicyName: Yaml; PolicyDocument: { Statement: Yaml } }>;
      expect(others, key).toEqual([]);
      const resolve = (value: Yaml) => cloudFormation.resolve(value, `${roleId} of ${key}`);
      expect(local.get(key), key).toEqual({
        roleName: resolve(role.RoleName as Yaml),
        roleArn: `arn:aws:iam::${cloudFormation.service.accountId}:role/${String(resolve(role.RoleName as Yaml))}`,
        policyName: resolve(policy?.PolicyName ?? null),
        policy: { Version: '2012-10-17', Statement: resolve(policy?.PolicyDocument.Statement ?? null) },
      });
    }
  });

  it("keep the Deny statements (the customer-facing functions may never assume the platform's own roles)", () => {
    const denies = (key: string) =>
      (local.get(key)?.policy.Statement as Array<{ Effect: string; Resource?: unknown }>).filter(
        (statement) => statement.Effect === 'Deny',
      );
    expect(denies('runValidationStage')).toEqual([
      { Effect: 'Deny', Action: ['sts:AssumeRole'], Resource: 'arn:aws:iam::111111111111:role/*' },
    ]);
    expect(denies('getHealth')).toEqual([]);
  });
});
