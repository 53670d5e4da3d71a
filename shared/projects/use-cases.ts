/**
 * What the projects domain offers its handlers (functions/**), and all they may import from it
 * (see shared/integrations/use-cases.ts): the clusters and backups a caller may list, and the
 * recording of platform events.
 */

export { listBackups, listClusters } from '#shared/projects/list-clusters';
export { recordPlatformEvent } from '#shared/projects/record-platform-event';
