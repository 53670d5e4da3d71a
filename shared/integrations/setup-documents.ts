/**
 * The documents an integration's customer sets up with: the per-integration policy, trust policy
 * and template (customer-documents.ts) and, when the platform publishes the generic template, the
 * one-click quick-create link to it (customer-role-template.ts). Composed here so that neither of
 * those two modules needs the other's callers.
 */
import {
  cloudFormationTemplateFor,
  iamPolicyFor,
  trustPolicyFor,
  type DocumentInput,
} from '#shared/integrations/customer-documents';
import { launchStackUrl } from '#shared/integrations/customer-role-template';
import type { SetupDocuments } from '#shared/integrations/schemas';

/**
 * The documents of an integration; with the URL where the platform publishes the generic template
 * (stage parameter customerRoleTemplateUrl), also the one-click quick-create link.
 */
export function setupDocumentsFor(
  input: DocumentInput & { region?: string },
  customerRoleTemplateUrl = '',
): SetupDocuments {
  return {
    iamPolicy: iamPolicyFor(input),
    trustPolicy: trustPolicyFor(input),
    cloudFormationTemplate: cloudFormationTemplateFor(input),
    ...(customerRoleTemplateUrl && input.region
      ? { launchStackUrl: launchStackUrl(customerRoleTemplateUrl, { ...input, region: input.region }) }
      : {}),
  };
}
