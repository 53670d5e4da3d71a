/**
 * The customer console's backup exports and a failing validation, in a real browser against the
 * test run's local stack, starting from an ACTIVE integration made through the API: export a
 * backup and watch its progress to SUCCEEDED, turn auto-export on; then the customer's policy loses
 * an action, and validation shows the fix, an auto-export refused meanwhile shows its error in the
 * customer's words, and the fix applied passes validation again. Every screen passes axe-core and
 * the 200% zoom check.
 */
import { CreatePolicyVersionCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '#shared/exports/schemas';
import { clearFaults, clientsFor, setFaults } from '../support/local-stack';
import { withoutAction } from '../support/customer';
import { eventually, type Project } from '../support/platform';
import { announceBackup, platformBackup } from '../exports/support/export-stack';
import { smallFiles } from '../exports/support/backup-data';
import { expectUsable, screenshot, type Browser } from './support/browser';
import { consoleUrl, heading, jsonShown, newCustomer, openConsole, type Policy } from './support/console-customer';

let browser: Browser;
let page: Page;
let project: Project;
let clusterId: string;
const customer = newCustomer();
let integrationId = '';

beforeAll(async () => {
  ({ browser, page, project, clusterId, integrationId } = await openConsole(customer, 'active'));
});

afterAll(async () => {
  await browser?.close();
});

describe('the customer console in a real browser', () => {
  it('exports a backup from the console and shows its progress while it runs, to SUCCEEDED', async () => {
    const backup = await platformBackup(clusterId, smallFiles('console', 6, 32 * 1024));
    await announceBackup(project, clusterId, backup);
    await eventually(async () => {
      const answer = await project.client.get(`/v1/projects/${project.projectId}/clusters/${clusterId}/backups`);
      return (answer.json as { items: unknown[] }).items.length > 0;
    }, 'the backup was not recorded');

    await page.getByRole('link', { name: 'Backup exports' }).click();
    await heading(page, 'Backup exports').waitFor();
    await page.getByText('No export yet.').waitFor();
    await page.getByLabel('Backup', { exact: true }).selectOption(backup.backupId);
    await page.getByLabel('Directory in the bucket').first().fill('console-exports');
    // Every write into the customer's bucket takes a second, so the running job stays on screen.
    // (Every field that matters is given: PUT /_local/faults merges into settings left over.)
    await setFaults({ errorRate: 0, latencyMs: 1000, buckets: [customer.bucketName], actions: ['s3:PutObject'] });
    const row = page.locator(`tr[data-job]`).filter({ hasText: backup.backupId });
    try {
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      await page.getByText(`Export of ${backup.backupId} started`).waitFor();
      // Running, with the totals planned: the bars and counts show. (How far they have got is not
      // asserted: the lanes copy these six small files at once, so the count jumps from 0 to 6.)
      await row.getByText('Running').waitFor();
      await row.getByText(/^[0-6] of 6 files$/).waitFor();
      const totalBytes = backup.files.reduce((sum, file) => sum + file.size, 0);
      await row.getByText(new RegExp(` of ${(totalBytes / 1024).toFixed(1)} KiB$`)).waitFor();
      await expect(row.getByRole('progressbar').count()).resolves.toBe(2);
    } finally {
      await clearFaults();
    }
    await row.getByText('Succeeded').waitFor({ timeout: 30_000 });
    await expect(row.getByText('6 of 6 files').count()).resolves.toBe(1);

    await page.getByRole('button', { name: 'Turn auto-export on' }).click();
    await page.getByText('Every new backup of').waitFor();
    await expectUsable(page, 'exports');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, '09-exports');
  });

  it('shows the fix of a failing validation; with the fix applied, validation passes', async () => {
    // The customer's policy loses s3:PutObject (a new default version, as an edit in IAM makes).
    const { iam } = clientsFor(customer.accountId);
    const roleName = customer.roleArn.split('/').at(-1) ?? '';
    const policyArn = `arn:aws:iam::${customer.accountId}:policy/${roleName}-policy`;
    const broken = withoutAction(customer.policy as Policy, 's3:PutObject');
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: policyArn,
        PolicyDocument: JSON.stringify(broken),
        SetAsDefault: true,
      }),
    );

    await page.goto(`${consoleUrl()}#/integrations/${integrationId}/validation`);
    await page.getByRole('button', { name: 'Validate again' }).click();
    await page.getByText('Validation failed.').waitFor();
    await page.getByRole('heading', { name: 'The role is not allowed s3:PutObject' }).waitFor();
    const statement = (await jsonShown(page, 'Statement to add')) as { Sid: string; Action: string[] };
    expect(statement.Action).toContain('s3:PutObject');
    await expectUsable(page, 'validation (failed, with fix)');
    await page
      .getByRole('heading', { name: 'The role is not allowed s3:PutObject' })
      .evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await screenshot(page, '08-validation-failed');

    // A backup completed now meets the auto-export rule with the integration FAILED: the refused
    // export is recorded as a failed job, whose error the exports screen shows in the customer's
    // words, without the API's hint (the stored message names "POST .../validate").
    const refused = await platformBackup(clusterId, smallFiles('refused', 1, 1024));
    await announceBackup(project, clusterId, refused);
    await eventually(
      async () =>
        ((await project.client.get(`/v1/projects/${project.projectId}/jobs`)).json as { items: JobView[] }).items.some(
          (job) => job.backupId === refused.backupId && job.status === 'FAILED',
        ),
      'the refused auto-export was not recorded',
      30_000,
    );
    await page.getByRole('link', { name: 'Backup exports' }).click();
    const refusedRow = page.locator('tr[data-job]').filter({ hasText: refused.backupId });
    await refusedRow.getByText('Failed', { exact: true }).waitFor();
    const reason = (await refusedRow.locator('.field-error').textContent()) ?? '';
    expect(reason).toContain('The backup export rule could not start this export');
    expect(reason).not.toMatch(/POST|\.\.\.\/|\{integrationId\}/);
    await page.goto(`${consoleUrl()}#/integrations/${integrationId}/validation`);
    await page.getByText('Validation failed.').waitFor();

    // The fix as the console states it: the statement, added to the policy.
    const fixed = {
      ...broken,
      Statement: [...broken.Statement.filter((existing) => existing.Sid !== statement.Sid), statement],
    };
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: policyArn,
        PolicyDocument: JSON.stringify(fixed),
        SetAsDefault: true,
      }),
    );
    await page.getByRole('button', { name: 'Validate again' }).click();
    await page.getByText('The integration works').waitFor();
  });
});
