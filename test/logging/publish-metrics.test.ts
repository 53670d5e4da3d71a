/**
 * publishMetrics, which every handler calls at the end of an invocation: the metrics it recorded
 * leave as one CloudWatch EMF line, and an invocation that recorded none writes nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type * as Logging from '#shared/logger';

// The local stack's environment turns metrics off (POWERTOOLS_METRICS_DISABLED); as deployed, they are on.
let metrics: typeof Logging.metrics;
let publishMetrics: typeof Logging.publishMetrics;
beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.resetModules();
  ({ metrics, publishMetrics } = await import('#shared/logger'));
});
afterAll(() => vi.unstubAllEnvs());

/** Everything written while `run` runs, through the console or straight to stdout/stderr. */
function output(run: () => void): string {
  const written: string[] = [];
  const capture = (...args: unknown[]) => void written.push(args.map(String).join(' '));
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (capture(chunk), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (capture(chunk), true)),
    ...(['log', 'info', 'warn', 'error'] as const).map((level) => vi.spyOn(console, level).mockImplementation(capture)),
  ];
  try {
    run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written.join('\n');
}

describe('publishMetrics', () => {
  afterEach(() => metrics.clearMetrics());

  it('publishes what the invocation recorded, as one EMF line', () => {
    metrics.addMetric('ExportsFailed', MetricUnit.Count, 1);
    const emf = JSON.parse(output(publishMetrics)) as {
      _aws: { CloudWatchMetrics: Array<{ Namespace: string }> };
      ExportsFailed: number;
    };
    expect(emf._aws.CloudWatchMetrics[0]?.Namespace).toBe('S3Integrations');
    expect(emf.ExportsFailed).toBe(1);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('writes nothing, not even a warning, for an invocation that recorded no metric', () => {
    expect(output(publishMetrics)).toBe('');
    // What it avoids: Powertools itself warns when asked to publish nothing.
    expect(output(() => metrics.publishStoredMetrics())).toContain('No application metrics to publish');
  });
});
