/**
 * The customer console's audit-log forwarding, in a real browser against the test run's local
 * stack, starting from an ACTIVE integration made through the API with one export done and
 * auto-export on: turn forwarding on and see its health, and the details with the lag chart (the
 * customer's bucket answers SlowDown at first, so the lag is real); have a delete refused while
 * forwarding uses the integration; see every screen read-only as a project member; turn
 * forwarding off through the browser's confirmation. Every screen passes axe-core and the 200%
 * zoom check.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearFaults, setFaults } from '../support/local-stack';
import { eventually, type Project } from '../support/platform';
import { writeAuditLog } from '../forwarding/support';
import { expectUsable, newPage, screenshot, type Browser } from './support/browser';
import { consoleUrl, heading, newCustomer, openConsole, signIn } from './support/console-customer';

let browser: Browser;
let page: Page;
let project: Project;
let clusterId: string;
const customer = newCustomer();
let integrationId = '';

beforeAll(async () => {
  ({ browser, page, project, clusterId, integrationId } = await openConsole(customer, 'exported'));
});

afterAll(async () => {
  await browser?.close();
});

describe('the customer console in a real browser', () => {
  it('turns audit-log forwarding on and shows its health; the details show the lag chart', async () => {
    await page.getByRole('link', { name: 'Audit-log forwarding' }).click();
    await heading(page, 'Audit-log forwarding').waitFor();
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

  it('shows a project member every screen without write actions', async () => {
    const member = await newPage(browser);
    await signIn(member, project, 'Project member');
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
});
