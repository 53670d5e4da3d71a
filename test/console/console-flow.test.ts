/**
 * The customer console in a real browser against the test run's local stack, as a customer uses
 * it: sign in, create an integration through the wizard, create the role in AWS from the documents
 * the console shows (with the ordinary IAM client), paste its ARN, watch validation reach ACTIVE;
 * export a backup and watch it run to SUCCEEDED; break the policy, see the fix and an auto-export
 * refused in the customer's words, apply the fix, pass; turn audit-log forwarding on; read the
 * details with the lag chart; have a delete refused with its reason; edit the integration and
 * rotate its external ID; see every screen read-only as a project member; turn forwarding off; and
 * filter and page the integrations by keyboard. Every screen passes axe-core and the 200% zoom check.
 * Screenshots: CONSOLE_SCREENSHOTS=docs/console npx vitest run test/console/console-flow.test.ts
 */
import { CreatePolicyVersionCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '#shared/exports/schemas';
import type { SetupDocuments } from '#shared/integrations/schemas';
import { clearFaults, clientsFor, localStack, setFaults, uniqueAccountId } from '../support/local-stack';
import { createBucket, createIntegration, createRole, withoutAction } from '../support/customer';
import { eventually, platformCluster, platformProject, type Project } from '../support/platform';
import { announceBackup, platformBackup } from '../exports/support/export-stack';
import { smallFiles } from '../exports/support/backup-data';
import { writeAuditLog } from '../forwarding/support';
import { expectUsable, newPage, screenshot, startBrowser, type Browser } from './support/browser';

type Policy = SetupDocuments['iamPolicy'];

let browser: Browser;
let page: Page;
let project: Project;
let clusterId: string;
const customer = {
  accountId: uniqueAccountId(),
  bucketName: `console-${uniqueAccountId()}`,
  roleArn: '',
  policy: undefined as Policy | undefined,
};
let integrationId = '';

const consoleUrl = () => `${localStack().apiUrl}/console/`;
const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
const jsonShown = async (label: string) =>
  JSON.parse((await page.getByLabel(label, { exact: true }).first().textContent()) ?? '') as unknown;

async function signIn(target: Page, role: 'Organization owner' | 'Project member') {
  await target.goto(consoleUrl());
  await target.getByRole('heading', { name: 'Sign in to the local stack' }).waitFor();
  await target.getByLabel('Project', { exact: true }).selectOption(project.projectId);
  await target.getByLabel(role).check();
}

beforeAll(async () => {
  browser = await startBrowser();
  project = await platformProject();
  clusterId = await platformCluster(project, { region: 'us-east-1' });
  page = await newPage(browser);
});

afterAll(async () => {
  await browser?.close();
});

describe('the customer console in a real browser', () => {
  it('signs in on the local sign-in page and shows the empty integrations screen', async () => {
    const messages: string[] = [];
    page.on('console', (message) => messages.push(message.text()));
    await signIn(page, 'Organization owner');
    // The stack serves a production build, whatever environment started it.
    expect(messages.filter((text) => text.includes('dev mode'))).toEqual([]);
    await expectUsable(page, 'sign-in');
    await screenshot(page, '01-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Integrations').waitFor();
    await page.getByText('No integration yet.').waitFor();
    await expectUsable(page, 'integrations (empty)');
  });

  it('creates an integration through the wizard; the role made from its documents validates to ACTIVE', async () => {
    // Keyboard only for the first step: focus moves from the list to the wizard and through the form.
    await page.getByRole('link', { name: 'New integration' }).focus();
    await page.keyboard.press('Enter');
    await heading('New integration').waitFor();
    await expectUsable(page, 'wizard: basic settings');
    await page.getByLabel('Integration name').focus();
    await page.keyboard.type('Nightly backups');
    await page.keyboard.press('Tab');
    await page.keyboard.type('for backup exports and audit logs');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Step 2 of 5/ }).waitFor();

    // The bucket name is checked as it is typed, with the API's own rule.
    await page.getByLabel('Cluster region').selectOption('us-east-1');
    await page.getByLabel('Bucket name').fill('Backups_2024');
    await page.getByText('may contain only lower-case letters, digits, dots and hyphens').waitFor();
    await expectUsable(page, 'wizard: region and bucket');
    await screenshot(page, '03-wizard-bucket');
    await page.getByLabel('Bucket name').fill(customer.bucketName);
    expect(await page.getByText('may contain only lower-case letters').count()).toBe(0);
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: /Step 3 of 5: IAM policy/ }).waitFor();
    customer.policy = (await jsonShown('IAM policy')) as Policy;
    const policyCommands = (await page.getByLabel('AWS CLI commands').textContent()) ?? '';
    await expectUsable(page, 'wizard: policy');
    await screenshot(page, '04-wizard-policy');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: /Step 4 of 5: IAM role/ }).waitFor();
    const launch = new URL((await page.getByRole('link', { name: /Launch Stack/ }).getAttribute('href')) ?? '');
    expect(launch.hash).toMatch(/^#\/stacks\/quickcreate\?.*param_ExternalId=s3i-/);
    // The local stack's role commands attach the policy that the previous step's command creates,
    // and say so: run alone, they would fail at attach-role-policy.
    await page
      .getByText('Or, on the local stack (in the same shell, after the policy command of the previous step)')
      .waitFor();
    const policyName = / --policy-name (\S+)/.exec(policyCommands)?.[1];
    const roleCommands = (await page.getByLabel('AWS CLI commands').textContent()) ?? '';
    expect(roleCommands).not.toContain('create-policy');
    expect(roleCommands).toMatch(
      new RegExp(`attach-role-policy .*--policy-arn arn:aws:iam::\\d{12}:policy/${policyName}$`, 'm'),
    );
    await expectUsable(page, 'wizard: role (CloudFormation)');
    await screenshot(page, '05-wizard-role');
    await page.getByLabel(/By hand in the IAM console/).check();
    const trustPolicy = (await jsonShown('Trust policy')) as Policy;
    await expectUsable(page, 'wizard: role (by hand)');

    // The customer, in their own AWS account, with what the console showed.
    await createBucket(customer.accountId, customer.bucketName, 'us-east-1');
    customer.roleArn = await createRole(customer.accountId, { iamPolicy: customer.policy, trustPolicy });
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: /Step 5 of 5/ }).waitFor();
    await page.getByRole('textbox', { name: 'Role ARN' }).fill(`arn:aws:iam::${customer.accountId}:user/someone`);
    await page.getByText('This is not a role ARN').waitFor();
    await page.getByRole('textbox', { name: 'Role ARN' }).fill(customer.roleArn);
    await expectUsable(page, 'wizard: role ARN');
    await screenshot(page, '06-wizard-role-arn');
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('The integration works').waitFor();
    const seen = Date.now() - clicked;
    const shown = await page.getByTestId('validated-in').textContent();
    console.log(`Validate to ACTIVE: ${seen} ms in the browser; the console shows ${shown} s`);
    await expect(page.getByText(`AWS account`, { exact: false }).first().textContent()).resolves.toContain(
      customer.accountId,
    );
    integrationId = /integrations\/(integ-[a-z0-9]+)\/validation/.exec(page.url())?.[1] ?? '';
    expect(integrationId).not.toBe('');
    await expectUsable(page, 'validation (active)');
    await screenshot(page, '07-validation-active');
  });

  it('exports a backup from the console and shows its progress while it runs, to SUCCEEDED', async () => {
    const backup = await platformBackup(clusterId, smallFiles('console', 6, 32 * 1024));
    await announceBackup(project, clusterId, backup);
    await eventually(async () => {
      const answer = await project.client.get(`/v1/projects/${project.projectId}/clusters/${clusterId}/backups`);
      return (answer.json as { items: unknown[] }).items.length > 0;
    }, 'the backup was not recorded');

    await page.getByRole('link', { name: 'Backup exports' }).click();
    await heading('Backup exports').waitFor();
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
    const statement = (await jsonShown('Statement to add')) as { Sid: string; Action: string[] };
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

  it('turns audit-log forwarding on and shows its health; the details show the lag chart', async () => {
    await page.getByRole('link', { name: 'Audit-log forwarding' }).click();
    await heading('Audit-log forwarding').waitFor();
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('button', { name: 'Turn forwarding on' }).click();
    await page.getByText('Delivered to', { exact: true }).waitFor();
    // The customer's bucket answers SlowDown at first: the file waits, and a catch-up run that
    // finds it still waiting records its lag for the chart. Once the bucket answers again, it arrives.
    const lagPath = `/v1/projects/${project.projectId}/integrations/${integrationId}/lag-history`;
    await setFaults({
      errorRate: 1,
      mode: 'slowdown',
      latencyMs: 0,
      buckets: [customer.bucketName],
      actions: ['s3:PutObject'],
    });
    try {
      await writeAuditLog(clusterId, new Date(Date.now() - 90_000));
      await eventually(
        async () =>
          ((await project.client.get(lagPath)).json as { points: Array<{ lagSeconds: number }> }).points.some(
            (point) => point.lagSeconds > 0,
          ),
        'no lag was recorded',
        30_000,
      );
    } finally {
      await clearFaults();
    }
    // The integration's health is rolled up from its clusters by the next scheduler tick.
    const integrationPath = `/v1/projects/${project.projectId}/integrations/${integrationId}`;
    await eventually(
      async () =>
        ((await project.client.get(integrationPath)).json as { health?: { lastDeliveryAt?: string } }).health
          ?.lastDeliveryAt,
      'no health roll-up',
      30_000,
    );
    await page.reload();
    await page.getByText('Delivered to', { exact: true }).waitFor();
    await expectUsable(page, 'forwarding');
    await screenshot(page, '10-forwarding');

    await page.getByRole('link', { name: 'Integrations', exact: true }).click();
    await page.getByRole('link', { name: 'Nightly backups' }).waitFor();
    await expectUsable(page, 'integrations');
    await screenshot(page, '02-integrations');

    await page.getByRole('link', { name: 'Nightly backups' }).click();
    await page.getByRole('img', { name: /Forwarding lag over the last 24 hours/ }).waitFor();
    await expectUsable(page, 'details');
    await page
      .getByRole('heading', { name: 'Health' })
      .evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await screenshot(page, '11-details');
  });

  it('explains why a delete is refused while forwarding uses the integration', async () => {
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete integration' }).click();
    await page.getByText('It was not deleted. This integration is in use').waitFor();
    await expectUsable(page, 'delete refused');
    await screenshot(page, '12-delete-refused');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('edits the description and rotates the external ID: both IDs trusted until validation switches', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Description').fill('Exports for the data team');
    await expectUsable(page, 'edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Exports for the data team').waitFor();

    await page.getByRole('button', { name: 'Rotate the external ID' }).click();
    await page.getByRole('heading', { name: 'External ID rotation: waiting for your role' }).waitFor();
    const path = `/v1/projects/${project.projectId}/integrations/${integrationId}`;
    const rotating = (await project.client.get(path)).json as {
      externalId: string;
      externalIdRotation: { newExternalId: string };
    };
    const trust = (await jsonShown('Trust policy')) as {
      Statement: Array<{ Condition: { StringEquals: Record<string, unknown> } }>;
    };
    expect(trust.Statement[0]?.Condition.StringEquals['sts:ExternalId']).toEqual([
      rotating.externalId,
      rotating.externalIdRotation.newExternalId,
    ]);
    await expectUsable(page, 'rotation pending');
    await screenshot(page, '13-rotation-pending');

    // The customer puts the trust policy the console shows on the role, and validates again.
    const roleName = customer.roleArn.split('/').at(-1) ?? '';
    await clientsFor(customer.accountId).iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(trust) }),
    );
    await page.getByRole('link', { name: 'Validate again' }).click();
    await page.getByRole('button', { name: 'Validate again' }).click();
    await eventually(
      async () =>
        ((await project.client.get(path)).json as { externalIdRotation?: { status: string } }).externalIdRotation
          ?.status === 'RETIRING',
      'the rotation did not switch',
      30_000,
    );
    await page.goto(`${consoleUrl()}#/integrations/${integrationId}`);
    await page.getByRole('heading', { name: 'External ID rotation: remove the old ID' }).waitFor();
    await page.getByText(rotating.externalIdRotation.newExternalId).first().waitFor();
  });

  it('shows a project member every screen without write actions', async () => {
    const member = await newPage(browser);
    await signIn(member, 'Project member');
    await member.getByRole('button', { name: 'Sign in' }).click();
    await member.getByRole('link', { name: 'Nightly backups' }).waitFor();
    await member.getByText('Project member (read-only)').waitFor();
    await expect(member.getByRole('link', { name: 'New integration' }).count()).resolves.toBe(0);
    await expectUsable(member, 'integrations (member)');

    await member.getByRole('link', { name: 'Nightly backups' }).click();
    await member.getByRole('heading', { name: 'Latest validation' }).waitFor();
    await expect(member.getByRole('button', { name: 'Delete' }).count()).resolves.toBe(0);
    await expect(member.getByRole('button', { name: 'Edit' }).count()).resolves.toBe(0);
    await expect(member.getByRole('button', { name: 'Rotate the external ID' }).count()).resolves.toBe(0);
    await member.goto(`${consoleUrl()}#/integrations/${integrationId}/validation`);
    await member.getByText('The integration works').waitFor();
    await expect(member.getByRole('button', { name: 'Validate again' }).count()).resolves.toBe(0);
    await member.goto(`${consoleUrl()}#/integrations/new`);
    await member.getByText('Only the organization owner or a project admin can create integrations.').waitFor();

    await member.getByRole('link', { name: 'Backup exports' }).click();
    await member.getByText('Succeeded').first().waitFor();
    await member.getByText('Every completed backup goes to', { exact: false }).waitFor();
    await expect(member.getByRole('button', { name: 'Export', exact: true }).count()).resolves.toBe(0);
    await expectUsable(member, 'exports (member)');

    await member.getByRole('link', { name: 'Audit-log forwarding' }).click();
    await member.getByText('Delivered to', { exact: true }).waitFor();
    await expect(
      member
        .getByRole('button')
        .filter({ hasText: /Turn|Change/ })
        .count(),
    ).resolves.toBe(0);
    await expectUsable(member, 'forwarding (member)');
    await member.close();
  });
  it('turns forwarding off only once the confirmation is accepted', async () => {
    await page.getByRole('link', { name: 'Audit-log forwarding' }).click();
    await page.getByText('Delivered to', { exact: true }).waitFor();
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Turn off' }).click();
    expect(asked[0]).toContain(`Turn audit-log forwarding of ${clusterId} off?`);
    await expect(page.getByText('Delivered to', { exact: true }).count()).resolves.toBe(1);

    // By keyboard this time: focus the button, press Enter, accept the browser's dialog.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Turn off' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText(`Audit-log forwarding of ${clusterId} is off.`).waitFor();
    await page.getByText('Off: audit logs of this cluster stay with the platform.').waitFor();
    const forwardingPath = `/v1/projects/${project.projectId}/clusters/${clusterId}/audit-log-forwarding`;
    expect((await project.client.get(forwardingPath)).status).toBe(404);
    await expectUsable(page, 'forwarding (off)');
  });

  it('filters the integrations and pages through them with "Show more", by keyboard', async () => {
    // 25 more (a page is 25), awaiting their role: the list needs a second page.
    const names = Array.from({ length: 25 }, (_, index) => `paging-${index}`);
    for (let next = 0; next < names.length; next += 5)
      await Promise.all(
        names
          .slice(next, next + 5)
          .map((name) =>
            createIntegration(project, { region: 'us-east-1', bucketName: `console-${name}-${customer.accountId}` }),
          ),
      );
    await page.getByRole('link', { name: 'Integrations', exact: true }).click();
    await page.getByText('25 of 25 loaded integrations shown; more exist.').waitFor();
    await page.getByRole('button', { name: 'Show more' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('26 of 26 loaded integrations shown.').waitFor();
    await expect(page.getByRole('button', { name: 'Show more' }).count()).resolves.toBe(0);

    await page.getByLabel('Filter by name, bucket or ID').focus();
    await page.keyboard.type('nightly');
    await page.getByText('1 of 26 loaded integrations shown.').waitFor();
    await page.getByRole('link', { name: 'Nightly backups' }).waitFor();
    // Tab leads from the filter to the status filter (focus inside the console's shadow root).
    await page.keyboard.press('Tab');
    const status = page.getByLabel('Status', { exact: true });
    await expect(
      status.evaluate((select) => (select.getRootNode() as ShadowRoot).activeElement === select),
    ).resolves.toBe(true);
    await page.getByLabel('Filter by name, bucket or ID').fill('');
    await status.selectOption('AWAITING_ROLE');
    await page.getByText('25 of 26 loaded integrations shown.').waitFor();
    await expect(page.getByRole('link', { name: 'Nightly backups' }).count()).resolves.toBe(0);
    await expectUsable(page, 'integrations (filtered)');
  });
});
