/**
 * The customer console's integrations list and an integration's details, in a real browser against
 * the test run's local stack, starting from an ACTIVE integration made through the API: edit its
 * description and rotate its external ID (the customer puts the trust policy the console shows on
 * the role, and validation switches to the new ID); then, with 25 more integrations, filter the
 * list by text and status and page it with "Show more", by keyboard. Every screen passes axe-core
 * and the 200% zoom check.
 */
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor } from '../support/local-stack';
import { createIntegration } from '../support/customer';
import { eventually, type Project } from '../support/platform';
import { expectUsable, screenshot, type Browser } from './support/browser';
import { consoleUrl, jsonShown, newCustomer, openConsole } from './support/console-customer';

let browser: Browser;
let page: Page;
let project: Project;
const customer = newCustomer();
let integrationId = '';

beforeAll(async () => {
  ({ browser, page, project, integrationId } = await openConsole(customer, 'active'));
  // The details screen, where the first test begins.
  await page.goto(`${consoleUrl()}#/integrations/${integrationId}`);
  await page.getByRole('button', { name: 'Edit' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
});

describe('the customer console in a real browser', () => {
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
    const trust = (await jsonShown(page, 'Trust policy')) as {
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
