/**
 * The customer console's first visit, in a real browser against the test run's local stack: sign
 * in on the local sign-in page of a project with no integration yet, then create one through the
 * wizard (partly by keyboard), the bucket name checked as it is typed. The customer creates the
 * bucket and role in their own AWS account from the documents the console shows (with the ordinary
 * IAM client), pastes the role ARN and watches validation reach ACTIVE. Every screen passes
 * axe-core and the 200% zoom check.
 * Screenshots: CONSOLE_SCREENSHOTS=docs/console npx vitest run test/console
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, createRole } from '../support/customer';
import { type Project } from '../support/platform';
import { expectUsable, screenshot, type Browser } from './support/browser';
import { heading, jsonShown, newCustomer, openConsole, signIn, type Policy } from './support/console-customer';

let browser: Browser;
let page: Page;
let project: Project;
const customer = newCustomer();
let integrationId = '';

beforeAll(async () => {
  ({ browser, page, project } = await openConsole(customer, 'signIn'));
});

afterAll(async () => {
  await browser?.close();
});

describe('the customer console in a real browser', () => {
  it('signs in on the local sign-in page and shows the empty integrations screen', async () => {
    const messages: string[] = [];
    page.on('console', (message) => messages.push(message.text()));
    await signIn(page, project, 'Organization owner');
    // The stack serves a production build, whatever environment started it.
    expect(messages.filter((text) => text.includes('dev mode'))).toEqual([]);
    await expectUsable(page, 'sign-in');
    await screenshot(page, '01-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Integrations').waitFor();
    await page.getByText('No integration yet.').waitFor();
    await expectUsable(page, 'integrations (empty)');
  });

  it('creates an integration through the wizard; the role made from its documents validates to ACTIVE', async () => {
    // Keyboard only for the first step: focus moves from the list to the wizard and through the form.
    await page.getByRole('link', { name: 'New integration' }).focus();
    await page.keyboard.press('Enter');
    await heading(page, 'New integration').waitFor();
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
    customer.policy = (await jsonShown(page, 'IAM policy')) as Policy;
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
    const trustPolicy = (await jsonShown(page, 'Trust policy')) as Policy;
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
});
