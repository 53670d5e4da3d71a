/**
 * The peers bench/export.ts measures the export against, in the same run: rclone (streaming, its
 * defaults, the same assumed-role credentials and session policy as the export) and the AWS SDK
 * alone (support/sdk-copy-loop.ts: what any client built on it reaches here).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpuMsOf } from './process-cpu';
import { rootCredentials, type BenchStack } from './local-stack';
import { REGION } from './forwarding-world';
import { assumedRole, type World } from './export-world';

const PLATFORM_ACCOUNT = '111111111111';

export interface Run {
  ms: number;
  cpuMs: number;
  /** CPU time of the local stack's process while the copy ran. */
  stackCpuMs: number;
}

export function ensureRclone(): void {
  if (spawnSync('rclone', ['version'], { stdio: 'ignore' }).status === 0) return;
  console.log('installing rclone (apt-get install -y rclone)...');
  if (spawnSync('apt-get', ['install', '-y', 'rclone'], { stdio: 'ignore' }).status !== 0)
    throw new Error('rclone is missing and could not be installed');
}

export async function runRclone(
  world: World,
  source: { bucket: string; prefix: string },
  destinationPrefix: string,
): Promise<Run> {
  const credentials = await assumedRole(world, destinationPrefix);
  const remote = (name: string, keys: { id: string; secret: string; token?: string }) => ({
    [`RCLONE_CONFIG_${name}_TYPE`]: 's3',
    [`RCLONE_CONFIG_${name}_PROVIDER`]: 'Other',
    [`RCLONE_CONFIG_${name}_ENDPOINT`]: world.stack.awsUrl,
    [`RCLONE_CONFIG_${name}_REGION`]: REGION,
    [`RCLONE_CONFIG_${name}_FORCE_PATH_STYLE`]: 'true',
    [`RCLONE_CONFIG_${name}_ACCESS_KEY_ID`]: keys.id,
    [`RCLONE_CONFIG_${name}_SECRET_ACCESS_KEY`]: keys.secret,
    ...(keys.token ? { [`RCLONE_CONFIG_${name}_SESSION_TOKEN`]: keys.token } : {}),
  });
  const platform = rootCredentials(PLATFORM_ACCOUNT);
  // AWS_CA_BUNDLE (set on this machine) breaks rclone's TLS setup; nothing here uses TLS anyway.
  const { AWS_CA_BUNDLE: _caBundle, ...inherited } = process.env;
  const env = {
    PATH: inherited.PATH,
    HOME: inherited.HOME,
    ...remote('SRC', { id: platform.accessKeyId, secret: platform.secretAccessKey }),
    ...remote('DST', {
      id: credentials?.AccessKeyId ?? '',
      secret: credentials?.SecretAccessKey ?? '',
      token: credentials?.SessionToken,
    }),
  };
  // /usr/bin/time, when present, reports rclone's CPU time (to compare with the export's).
  const timed = existsSync('/usr/bin/time');
  const args = [
    'copy',
    `src:${source.bucket}/${source.prefix}`,
    `dst:${world.integration.bucketName}/${destinationPrefix}`,
    '--disable',
    'Copy',
    '--s3-no-check-bucket',
  ];
  const stackCpuBefore = cpuMsOf(world.stack.pid);
  const started = performance.now();
  const run = spawnSync(timed ? '/usr/bin/time' : 'rclone', timed ? ['-f', 'cpu %U %S', 'rclone', ...args] : args, {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - started;
  const stackCpuMs = cpuMsOf(world.stack.pid) - stackCpuBefore;
  if (run.status !== 0) throw new Error(`rclone failed: ${run.stderr.toString().slice(-800)}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(run.stderr.toString());
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : Number.NaN, stackCpuMs };
}

/** Runs a bundled child script; answers the JSON line it prints last, with the stack's CPU time meanwhile. */
async function runChild<T extends object>(
  stack: BenchStack,
  bundle: string,
  args: string[],
): Promise<T & { stackCpuMs: number }> {
  const stackCpuBefore = cpuMsOf(stack.pid);
  const child = spawn(process.execPath, [bundle, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stackCpuMs = cpuMsOf(stack.pid) - stackCpuBefore;
  const line = output.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`${bundle} failed (exit ${code}): ${output.slice(-500)}`);
  return { ...(JSON.parse(line) as T), stackCpuMs };
}

/** The SDK alone copies the files, with the role credentials rclone gets. */
export async function runSdkAlone(
  world: World,
  bundle: string,
  source: { bucket: string; prefix: string },
  destinationPrefix: string,
): Promise<Run> {
  const credentials = await assumedRole(world, destinationPrefix);
  const destination = {
    bucket: world.integration.bucketName,
    prefix: destinationPrefix,
    credentials: {
      accessKeyId: credentials?.AccessKeyId,
      secretAccessKey: credentials?.SecretAccessKey,
      sessionToken: credentials?.SessionToken,
    },
  };
  return runChild<Run>(world.stack, bundle, [JSON.stringify({ source, destination })]);
}
