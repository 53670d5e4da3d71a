/**
 * Regenerates deploy/customer-role-template.json, the file a platform publishes in S3 for the
 * Launch Stack links (docs/deploy.md); test/integrations/customer-role-template.test.ts fails when
 * the checked-in copy drifts.
 */
import { writeFileSync } from 'node:fs';
import { customerRoleTemplate } from '#shared/integrations/customer-role-template';

export const CUSTOMER_ROLE_TEMPLATE_FILE = 'deploy/customer-role-template.json';
export const customerRoleTemplateText = () => `${JSON.stringify(customerRoleTemplate, null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(CUSTOMER_ROLE_TEMPLATE_FILE, customerRoleTemplateText());
  console.log(`wrote ${CUSTOMER_ROLE_TEMPLATE_FILE}`);
}
