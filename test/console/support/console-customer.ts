/**
 * What the console tests share besides the browser: the customer they act for (an account, its
 * bucket, and its role and policy once made), signing in on the local sign-in page, and reading a
 * screen's heading and the JSON documents it shows. Also the states a later screen starts from,
 * reached through the API rather than the browser (an ACTIVE integration named as the wizard test
 * names its own, an export that succeeded with auto-export on), so each test file begins at its
 * own screen instead of replaying the whole customer journey (openConsole).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { JobView } from '#shared/exports/schemas';
import type { SetupDocuments } from '#shared/integrations/schemas';
import { localStack, uniqueAccountId } from '../../support/local-stack';
import { createBucket, createIntegration, createRole, setRoleAndWait } from '../../support/customer';
import { eventually, platformCluster, platformProject, type Project } from '../../support/platform';
import { announceBackup, platformBackup } from '../../exports/support/export-stack';
import { smallFiles } from '../../exports/support/backup-data';
import { newPage, startBrowser, type Browser } from './browser';

export type Policy = SetupDocuments['iamPolicy'];

/** The customer's AWS account and bucket; the role and policy are filled in once made. */
export interface ConsoleCustomer {
  accountId: string;
  bucketName: string;
  roleArn: string;
  policy: Policy | undefined;
}

export const newCustomer = (): ConsoleCustomer => ({
  accountId: uniqueAccountId(),
  bucketName: `console-${uniqueAccountId()}`,
  roleArn: '',
  policy: undefined,
});

export const consoleUrl = () => `${localStack().apiUrl}/console/`;

/** The screen's title (each screen has one level-1 heading). */
export const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

/** A JSON document the screen shows under `label` (a policy, a statement to add), parsed. */
export const jsonShown = async (page: Page, label: string) =>
  JSON.parse((await page.getByLabel(label, { exact: true }).first().textContent()) ?? '') as unknown;

/** Fills in the local sign-in page for the project, up to (not including) the click on Sign in. */
export async function signIn(page: Page, project: Project, role: 'Organization owner' | 'Project member') {
  await page.goto(consoleUrl());
  await page.getByRole('heading', { name: 'Sign in to the local stack' }).waitFor();
  await page.getByLabel('Project', { exact: true }).selectOption(project.projectId);
  await page.getByLabel(role).check();
}

/** A new page signed in as the project's organization owner, on the integrations screen. */
async function ownerPage(browser: Browser, project: Project): Promise<Page> {
  const page = await newPage(browser);
  await signIn(page, project, 'Organization owner');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await heading(page, 'Integrations').waitFor();
  return page;
}

/**
 * The integration the wizard test creates, made here through the API: "Nightly backups", whose
 * bucket, role and policy the customer made from the documents the API returned, validated to
 * ACTIVE. Fills in the customer's role ARN and policy; returns the integration's id.
 */
async function nightlyBackups(project: Project, customer: ConsoleCustomer): Promise<string> {
  const created = await createIntegration(project, {
    name: 'Nightly backups',
    description: 'for backup exports and audit logs',
    region: 'us-east-1',
    bucketName: customer.bucketName,
  });
  await createBucket(customer.accountId, customer.bucketName, 'us-east-1');
  customer.policy = created.setup.iamPolicy;
  customer.roleArn = await createRole(customer.accountId, created.setup);
  const view = await setRoleAndWait(project, created.integrationId, customer.roleArn);
  expect(view.status, JSON.stringify(view.validation)).toBe('ACTIVE');
  return created.integrationId;
}

/** A backup of the cluster exported through the integration to SUCCEEDED, and the auto-export rule on. */
async function exportedWithAutoExport(project: Project, clusterId: string, integrationId: string) {
  const cluster = `/v1/projects/${project.projectId}/clusters/${clusterId}`;
  const backup = await platformBackup(clusterId, smallFiles('console', 2, 1024));
  await announceBackup(project, clusterId, backup);
  const started = await eventually(async () => {
    const answer = await project.client.post(`${cluster}/backups/${backup.backupId}/export`, {
      integrationId,
      directory: 'console-exports',
    });
    // 404 until the service has recorded the backup's event.
    return answer.status === 404 ? undefined : answer;
  }, 'the backup was not recorded');
  expect(started.status, started.text).toBe(202);
  const jobPath = `/v1/projects/${project.projectId}/jobs/${(started.json as { jobId: string }).jobId}`;
  await eventually(
    async () => ((await project.client.get(jobPath)).json as JobView).status === 'SUCCEEDED',
    'the export did not succeed',
    30_000,
  );
  const rule = await project.client.put(`${cluster}/backup-export-rule`, {
    integrationId,
    directory: 'console-exports',
  });
  expect(rule.status, rule.text).toBe(200);
}

/** What a console test file works with. */
export interface ConsoleWorld {
  browser: Browser;
  page: Page;
  project: Project;
  clusterId: string;
  integrationId: string;
}

/**
 * The start of a console test file: a browser, a fresh project with a cluster, and a page. From
 * `signIn`, the page has not signed in and the project has no integration (the wizard's start);
 * from `active`, the customer's "Nightly backups" is ACTIVE and the page is signed in as the
 * organization owner, on the integrations screen; from `exported`, the same with one export done
 * and auto-export on.
 */
export async function openConsole(
  customer: ConsoleCustomer,
  from: 'signIn' | 'active' | 'exported',
): Promise<ConsoleWorld> {
  const browser = await startBrowser();
  const project = await platformProject();
  const clusterId = await platformCluster(project, { region: 'us-east-1' });
  if (from === 'signIn') return { browser, page: await newPage(browser), project, clusterId, integrationId: '' };
  const integrationId = await nightlyBackups(project, customer);
  if (from === 'exported') await exportedWithAutoExport(project, clusterId, integrationId);
  return { browser, page: await ownerPage(browser, project), project, clusterId, integrationId };
}
