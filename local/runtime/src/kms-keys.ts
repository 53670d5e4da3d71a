/**
 * The AWS::KMS::Key resources of serverless.yml, made real in the local KMS at every start
 * (`KeySpec`, `KeyUsage`, `Description`, `Enabled`), so a function can sign with the key its
 * environment names (`!GetAtt SigningKey.Arn`, `!Ref SigningKey` for the key id).
 *
 * A key's id is derived from where and how it is declared (kms-key-ids.ts), so every start finds
 * the key (and its material) the previous one created. Its `KeyPolicy` is the key's policy, as in
 * AWS (without one, the default key policy lets the account's IAM policies decide); the roles it
 * names must exist, so keys are made after the functions' roles.
 */
import type { AwsEndpoint } from '@s3-integrations/aws-endpoint/server';
import type { LocalCloudFormation } from '#runtime/cloudformation';
import { keyDeclaration } from '#runtime/kms-key-ids';

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
    const enabled = property('Enabled');
    try {
      await kms.ensureKey({
        keyId: resource.ref,
        accountId: service.accountId,
        region: service.region,
        ...keyDeclaration(property),
        description: String(property('Description') ?? ''),
        enabled: enabled !== false && enabled !== 'false',
        ...(keyPolicy === undefined
          ? {}
          : { policy: typeof keyPolicy === 'string' ? keyPolicy : JSON.stringify(keyPolicy) }),
      });
    } catch (error) {
      throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
