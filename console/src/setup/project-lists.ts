/** The project's clusters and integrations, as the export and forwarding screens offer them. */
import type { ConsoleContext } from '../app/context';
import type { Backup, Cluster, Integration } from '../api/types';

/** Every item of a paginated list, page after page. */
async function allPages<T>(
  fetchPage: (nextToken?: string) => Promise<{ items: T[]; nextToken?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fetchPage(nextToken);
    items.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return items;
}

const pageQuery = (nextToken?: string) => ({ limit: 100, ...(nextToken ? { nextToken } : {}) });

export const allClusters = (context: ConsoleContext): Promise<Cluster[]> =>
  allPages((nextToken) =>
    context.api.call(
      context.api.raw.GET('/v1/projects/{projectId}/clusters', {
        params: { path: { projectId: context.projectId }, query: pageQuery(nextToken) },
      }),
    ),
  );

export const allIntegrations = (context: ConsoleContext): Promise<Integration[]> =>
  allPages((nextToken) =>
    context.api.call(
      context.api.raw.GET('/v1/projects/{projectId}/integrations', {
        params: { path: { projectId: context.projectId }, query: pageQuery(nextToken) },
      }),
    ),
  );

/** The newest backups of a cluster first (one page of 100 is plenty to pick from). */
export async function recentBackups(context: ConsoleContext, clusterId: string): Promise<Backup[]> {
  const page = await context.api.call(
    context.api.raw.GET('/v1/projects/{projectId}/clusters/{clusterId}/backups', {
      params: { path: { projectId: context.projectId, clusterId }, query: { limit: 100 } },
    }),
  );
  return [...page.items].sort((a, b) => b.completedAt.localeCompare(a.completedAt));
}

/** ACTIVE integrations in the cluster's region: the only ones an export or forwarding can use. */
export const usableFor = (integrations: Integration[], cluster: Cluster | undefined) =>
  integrations.filter((integration) => integration.status === 'ACTIVE' && integration.region === cluster?.region);
