/**
 * The tenancy rule of docs/product-contract.md §2, in one place. The organization owner of the project's
 * organization and project admins may write; project members may read; anyone else learns nothing,
 * not even that the project exists (404). Integrations need the enterprise plan.
 */
import { FeatureNotAvailableError, ForbiddenError, NotFoundError } from '#shared/errors';
import type { PlatformUser } from '#shared/http/platform-user';
import { loadOwnedCluster, loadProject, type Cluster, type Project } from '#shared/projects/project-store';

export type Access = 'read' | 'write';

const notFound = () => new NotFoundError('No such project, or you have no access to it.');

export async function requireProjectAccess(caller: PlatformUser, projectId: string, access: Access): Promise<Project> {
  const project = await loadProject(projectId);
  if (!project || project.orgId !== caller.orgId) throw notFound();
  const isOwner = caller.orgRole === 'owner';
  const projectRole = caller.projectRoles.get(projectId);
  if (!isOwner && !projectRole) throw notFound();
  if (access === 'write' && !isOwner && projectRole !== 'admin') {
    throw new ForbiddenError('Only the organization owner or a project admin can change integrations of this project.');
  }
  if (project.plan !== 'enterprise') {
    throw new FeatureNotAvailableError('S3 integrations are available only to projects on the enterprise plan.');
  }
  return project;
}

/** Exports and forwarding work only for dedicated clusters (docs/product-contract.md §2) the project owns now. */
export async function requireDedicatedCluster(projectId: string, clusterId: string): Promise<Cluster> {
  const cluster = await loadOwnedCluster(projectId, clusterId);
  if (!cluster) throw new NotFoundError('No such cluster in this project.');
  if (cluster.tier !== 'dedicated') {
    throw new FeatureNotAvailableError(
      'Backup export and audit-log forwarding are available only for dedicated clusters.',
    );
  }
  return cluster;
}
