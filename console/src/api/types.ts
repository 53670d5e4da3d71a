/**
 * The API's shapes as the console uses them, all derived from the generated schema.d.ts (itself
 * generated from docs/openapi.json): no shape here is written by hand.
 */
import type { operations } from './schema';

type Json<Op, Status extends number> = Op extends {
  responses: Record<Status, { content: { 'application/json': infer Body } }>;
}
  ? Body
  : never;

export type Integration = Json<operations['getIntegration'], 200>;
export type CreatedIntegration = Json<operations['createIntegration'], 201>;
export type SetupDocuments = Json<operations['getIntegrationSetup'], 200>;
export type IntegrationPage = Json<operations['listIntegrations'], 200>;
export type CreateIntegrationBody = operations['createIntegration']['requestBody']['content']['application/json'];
export type ValidationReport = NonNullable<Integration['validation']>;
export type ValidationStage = ValidationReport['stages'][number];
export type StageName = ValidationStage['name'];
export type IntegrationStatus = Integration['status'];
export type Health = NonNullable<Integration['health']>;
export type LagHistory = Json<operations['getIntegrationLagHistory'], 200>;
export type RegionList = Json<operations['listRegions'], 200>;
export type Cluster = Json<operations['listClusters'], 200>['items'][number];
export type Backup = Json<operations['listBackups'], 200>['items'][number];
export type Job = Json<operations['getExportJob'], 200>;
export type JobPage = Json<operations['listExportJobs'], 200>;
export type ExportRule = Json<operations['getBackupExportRule'], 200>;
export type Forwarding = Json<operations['getAuditLogForwarding'], 200>;
export type ApiErrorBody = Json<operations['createIntegration'], 400>;
