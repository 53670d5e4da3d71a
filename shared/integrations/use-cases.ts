/**
 * What the integrations domain offers its handlers (functions/**), and all they may import from
 * it: each use case authorizes the caller before it touches a record. Handlers import use cases
 * only from a domain's use-cases.ts (a lint rule holds them to it); the stores behind them read
 * with no access check and are never imported by a handler.
 */

export {
  createIntegration,
  getIntegration,
  getSetupDocuments,
  listIntegrations,
  removeIntegration,
  revalidate,
  setRole,
} from '#shared/integrations/manage-integrations';
export { servedRegions } from '#shared/integrations/regions';
export { editIntegration } from '#shared/integrations/edit-integration';
export { cancelRotation, startRotation } from '#shared/integrations/rotate-external-id';
