/** The project's clusters and integrations, as the export and forwarding screens offer them. */
import type { ConsoleContext } from '../app/context';
import type { Backup, Cluster, Integration } from '../api/types';

export async function allClusters(context: ConsoleContext): Promise<Cluster[]> {
  const clusters: Cluster[] = [];
  let nextToken: string | undefined;
  do {
    const page = await context.api.call(
      context.api.raw.GET('/v1/projects/{projectId}/clusters', { params: { path: { projectId: context.projectId }, query: { limit: 100, ...(nextToken ? { nextToken } : {}) } } }),
    );
    clusters.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return clusters;
}

export async function allIntegrations(context: ConsoleContext): Promise<Integration[]> {
  const integrations: Integration[] = [];
  let nextToken: string | undefined;
  do {
    const page = await context.api.call(
      context.api.raw.GET('/v1/projects/{projectId}/integrations', { params: { path: { projectId: context.projectId }, query: { limit: 100, ...(nextToken ? { nextToken } : {}) } } }),
    );
    integrations.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return integrations;
}

/** The newest backups of a cluster first (one page of 100 is plenty to pick from). */
export async function recentBackups(context: ConsoleContext, clusterId: string): Promise<Backup[]> {
  const page = await context.api.call(
    context.api.raw.GET('/v1/projects/{projectId}/clusters/{clusterId}/backups', { params: { path: { projectId: context.projectId, clusterId }, query: { limit: 100 } } }),
  );
  return [...page.items].sort((a, b) => b.completedAt.localeCompare(a.completedAt));
}

/** ACTIVE integrations in the cluster's region: the only ones an export or forwarding can use. */
export const usableFor = (integrations: Integration[], cluster: Cluster | undefined) =>
  integrations.filter((integration) => integration.status === 'ACTIVE' && integration.region === cluster?.region);
