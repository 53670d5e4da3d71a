/**
 * The id of an AWS::KMS::Key of serverless.yml, what `Ref` gives before the key exists: derived
 * from the stack, the logical id, the key spec and the usage, so every start finds the key (and
 * its material) the previous one created and signatures made before a restart still verify;
 * changing the spec or the usage gives a new key, as CloudFormation replaces the key then.
 * kms-keys.ts creates the keys under these ids at start.
 */
import { createHash } from 'node:crypto';
import type { Yaml } from '#runtime/serverless-yaml';
import type { LocalService } from '#runtime/service-model';

export interface KeyDeclaration {
  keySpec: string;
  keyUsage: string;
}

export function keyDeclaration(property: (name: string) => Yaml | undefined): KeyDeclaration {
  return {
    keySpec: String(property('KeySpec') ?? 'SYMMETRIC_DEFAULT'),
    keyUsage: String(property('KeyUsage') ?? 'ENCRYPT_DECRYPT'),
  };
}

/** A UUID-shaped id that only depends on where the key is declared and what it is. */
export function localKeyId(service: LocalService, logicalId: string, { keySpec, keyUsage }: KeyDeclaration): string {
  const hex = createHash('sha256')
    .update(`${service.accountId}:${service.region}:${service.stackName}:${logicalId}:${keySpec}:${keyUsage}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
