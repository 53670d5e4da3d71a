/**
 * The AWS::KMS::Key resources of serverless.yml, made real in the local KMS at every start
 * (`KeySpec`, `KeyUsage`, `Description`, `Enabled`), so a function can sign with the key its
 * environment names (`!GetAtt SigningKey.Arn`, `!Ref SigningKey` for the key id).
 *
 * A key's id is derived from where and how it is declared (kms-key-ids.ts), so every start finds
 * the key (and its material) the previous one created. The local KMS evaluates every key with the
 * default key policy (IAM policies of the key's account decide): a `KeyPolicy` that says more is
 * reported at start.
 */
import type { AwsEndpoint } from '@s3-integrations/aws-endpoint/server';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import { keyDeclaration } from '#runtime/kms-key-ids';
import { isMap, type Yaml } from '#runtime/serverless-yaml';

export async function ensureKmsKeys(cloudFormation: LocalCloudFormation, kms: AwsEndpoint['kms']): Promise<void> {
  const { service } = cloudFormation;
  for (const [logicalId, resource] of cloudFormation.ofType('AWS::KMS::Key')) {
    const where = `resources.Resources.${logicalId}.Properties`;
    const property = (name: string) => cloudFormation.property(logicalId, name);
    const origin = property('Origin');
    if (origin !== undefined && origin !== 'AWS_KMS')
      throw new Error(
        `${where}.Origin ${String(origin)} has no local equivalent: the local KMS makes its own key material.`,
      );
    const keyPolicy = property('KeyPolicy');
    if (keyPolicy !== undefined && !isDefaultKeyPolicy(keyPolicy, service.accountId)) {
      console.warn(
        `[local] ${where}.KeyPolicy: the local KMS applies the default key policy (IAM policies of account ` +
          `${service.accountId} decide); the rest of this key policy is not enforced locally.`,
      );
    }
    const enabled = property('Enabled');
    try {
      await kms.ensureKey({
        keyId: resource.ref,
        accountId: service.accountId,
        region: service.region,
        ...keyDeclaration(property),
        description: String(property('Description') ?? ''),
        enabled: enabled !== false && enabled !== 'false',
      });
    } catch (error) {
      throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

/**
 * Only statements that give the key's own account everything (through its IAM policies), as the default key
 * policy does.
 */
function isDefaultKeyPolicy(policy: Yaml, accountId: string): boolean {
  const document = typeof policy === 'string' ? (JSON.parse(policy) as Yaml) : policy;
  if (!isMap(document)) return false;
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement ?? null];
  const list = (value: Yaml | undefined) => (Array.isArray(value) ? value : [value]);
  return statements.every((statement) => {
    if (!isMap(statement) || statement.Effect !== 'Allow' || !isMap(statement.Principal ?? null)) return false;
    const principals = list((statement.Principal as Record<string, Yaml>).AWS);
    return (
      principals.every((principal) => principal === accountId || principal === `arn:aws:iam::${accountId}:root`) &&
      list(statement.Action).every((action) => action === 'kms:*') &&
      list(statement.Resource).every((resource) => resource === '*')
    );
  });
}
