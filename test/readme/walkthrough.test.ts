/**
 * The README's walkthrough, run as written with the machine's AWS CLI (Debian 12's apt gives 2.9,
 * which ignores AWS_ENDPOINT_URL: the walkthrough must name the endpoint on every call) against
 * this run's local stack, and what it prints compared with the README's "What it printed". Only
 * what must differ here is changed: the stack's ports, a token minted for it (`npm run token`
 * signs for `npm start`'s data directory), and ids other tests could share (project, organization,
 * customer account, bucket, files under /tmp). Generated ids are compared by position. The
 * console's commands for the local stack (console/src/setup/aws-steps.ts) are run the same way.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { localCommands } from '../../console/src/setup/aws-steps';
import { createIntegration, setRoleAndWait } from '../support/customer';
import { localStack, mintToken, uniqueAccountId } from '../support/local-stack';
import { platformProject } from '../support/platform';

const run = promisify(execFile);

/**
 * Debian's CLI when installed (the one the walkthrough promises to work with), else whichever `aws`
 * is on PATH. Without one the tests fail, never skip: .ci/run installs Debian's.
 */
function awsCliDirectory(): string {
  if (existsSync('/usr/bin/aws')) return '/usr/bin';
  const onPath = (process.env.PATH ?? '').split(':').find((dir) => existsSync(join(dir, 'aws')));
  if (!onPath) throw new Error('No AWS CLI: install it (apt-get install awscli), as .ci/run does.');
  return onPath;
}

function section(readme: string, heading: string, fence: string): string {
  const from = readme.indexOf(heading);
  const start = readme.indexOf(`${fence}\n`, from) + fence.length + 1;
  return readme.slice(start, readme.indexOf('\n```', start));
}

/** The JSON values (one or more lines each) of a jq session's output, in order. */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    pending += `${line}\n`;
    try {
      values.push(JSON.parse(pending));
      pending = '';
    } catch {
      // not a whole value yet
    }
  }
  expect(pending.trim(), 'output that is not JSON').toBe('');
  return values;
}

/** Generated ids replaced by their order of first appearance, so two sessions compare. */
function withStableIds(values: unknown[]): unknown {
  const seen = new Map<string, string>();
  return JSON.parse(
    JSON.stringify(values).replace(/integ-[a-z0-9]{20}|s3i-[\w-]{32}/g, (id) => {
      if (!seen.has(id)) seen.set(id, `${id.slice(0, 4)}#${seen.size + 1}`);
      return seen.get(id) ?? id;
    }),
  );
}

const cli = awsCliDirectory();

describe("the README's walkthrough", () => {
  it('runs as written with the AWS CLI against the local stack and prints what the README shows', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const stack = localStack();
    const unique = randomBytes(4).toString('hex');
    const [project, org, account, bucket, files] = [
      `proj-walk-${unique}`,
      `org-walk-${unique}`,
      uniqueAccountId(),
      `acme-walk-${unique}`,
      mkdtempSync(join(tmpdir(), 'walkthrough-')),
    ];
    const token = await mintToken({ sub: 'user-1', org, orgRole: 'owner' });
    const script = section(readme, '## Walkthrough with curl', '```sh')
      .replace(/TOKEN=\$\(npm run --silent token -- '[^']*'\)/, `TOKEN='${token}'`)
      .replaceAll('http://127.0.0.1:4566', stack.awsUrl)
      .replaceAll('http://127.0.0.1:3000', stack.apiUrl)
      .replaceAll('proj-1', project)
      .replaceAll('org-1', org)
      .replaceAll('222222222222', account)
      .replaceAll('acme-exports', bucket)
      .replaceAll('/tmp/', `${files}/`);
    expect(script).not.toContain('npm run');
    const { stdout } = await run('bash', ['-eo', 'pipefail', '-c', script], {
      env: { PATH: `${cli}:${process.env.PATH ?? ''}`, HOME: files },
      // Eleven CLI calls, each starting Python: on a loaded machine that alone takes a minute.
      timeout: 150_000,
    });
    const printed = section(readme, 'What it printed:', '```').replaceAll('222222222222', account);
    expect(withStableIds(jsonValues(stdout))).toEqual(withStableIds(jsonValues(printed)));
  }, 180_000);

  it("the console's AWS CLI commands for the local stack work as shown; the integration validates ACTIVE", async () => {
    const project = await platformProject();
    const created = await createIntegration(project, {
      region: 'us-west-2',
      bucketName: `console-cli-${randomBytes(4).toString('hex')}`,
    });
    const local = { endpoint: localStack().awsUrl, customerAccountId: uniqueAccountId(), region: 'us-west-2' };
    const commands = localCommands(local, { ...created, documents: created.setup });
    const script = [commands.environment, commands.bucket, commands.policy, commands.role].join('\n');
    await run('bash', ['-eo', 'pipefail', '-c', script], {
      env: { PATH: `${cli}:${process.env.PATH ?? ''}`, HOME: tmpdir() },
      timeout: 150_000,
    });
    const view = await setRoleAndWait(project, created.integrationId, commands.roleArn);
    expect(view.status, JSON.stringify(view.validation)).toBe('ACTIVE');
  }, 180_000);
});
