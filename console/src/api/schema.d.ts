/* Generated from docs/openapi.json by scripts/write-console-api-types.ts: do not edit. */
export interface paths {
    "/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness check */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/regions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The regions the platform serves: an integration must name one of them */
        get: operations["listRegions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/integrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the integrations of a project */
        get: operations["listIntegrations"];
        put?: never;
        /** Create an integration (status AWAITING_ROLE) and get the documents to set up the role */
        post: operations["createIntegration"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/integrations/{integrationId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An integration with its status, latest validation report and health */
        get: operations["getIntegration"];
        put?: never;
        post?: never;
        /** Delete an integration that no export or forwarding uses */
        delete: operations["deleteIntegration"];
        options?: never;
        head?: never;
        /** Edit the name, description or KMS key (null removes the description or the key); a new key waits for a validation while work keeps the validated settings */
        patch: operations["editIntegration"];
        trace?: never;
    };
    "/v1/projects/{projectId}/integrations/{integrationId}/external-id-rotation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue a new external ID (rotation PENDING): the trust policy accepts both until a validation proves the new one, which work then uses; the old one is retired once the role refuses it */
        post: operations["startExternalIdRotation"];
        /** Cancel a PENDING rotation: the current external ID stays, the new one is never issued again */
        delete: operations["cancelExternalIdRotation"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/integrations/{integrationId}/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The IAM policy, trust policy and CloudFormation template for the customer */
        get: operations["getIntegrationSetup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/integrations/{integrationId}/lag-history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Audit-log forwarding lag through the integration over the last day (largest per 10-minute slot) */
        get: operations["getIntegrationLagHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/integrations/{integrationId}/role": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Store the customer role and start validation */
        put: operations["setIntegrationRole"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/integrations/{integrationId}/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Validate the integration again (e.g. after fixing a policy) */
        post: operations["validateIntegration"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/clusters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the clusters of a project (learnt from platform events), with region and tier */
        get: operations["listClusters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/clusters/{clusterId}/backups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the completed backups of a cluster (learnt from platform events) */
        get: operations["listBackups"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A cluster's audit-log forwarding with its delivery health */
        get: operations["getAuditLogForwarding"];
        /** Turn audit-log forwarding of a dedicated cluster on, or change its integration or directory */
        put: operations["putAuditLogForwarding"];
        post?: never;
        /** Turn audit-log forwarding off (files already delivered stay) */
        delete: operations["deleteAuditLogForwarding"];
        options?: never;
        head?: never;
        /** Pause or resume audit-log forwarding (files that land while paused are delivered after resuming), or change its compression */
        patch: operations["patchAuditLogForwarding"];
        trace?: never;
    };
    "/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deliver again, to the same keys, every audit-log file of a window the platform still holds (files the bucket still has are left as they are) */
        post: operations["startAuditLogReplay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding/replay/{replayId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A replay job with its progress */
        get: operations["getAuditLogReplay"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit-log-digests/public-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The platform's public key of the signed hourly audit-log digests (for npm run verify-audit-logs) */
        get: operations["getAuditLogDigestKey"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/clusters/{clusterId}/backups/{backupId}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Export an AVAILABLE backup to an ACTIVE integration in the cluster region (the same request again returns the same job) */
        post: operations["startBackupExport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/clusters/{clusterId}/backup-export-rule": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A cluster's auto-export rule */
        get: operations["getBackupExportRule"];
        /** Export every completed backup of a dedicated cluster automatically into the rule's directory */
        put: operations["putBackupExportRule"];
        post?: never;
        /** Stop exporting backups of the cluster automatically (running jobs continue) */
        delete: operations["deleteBackupExportRule"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the export jobs of a project */
        get: operations["listExportJobs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{projectId}/jobs/{jobId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An export job with its status, progress, destination and error */
        get: operations["getExportJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: {
                code: string;
                message: string;
                details: {
                    field?: string;
                    issue: string;
                    expected?: string;
                }[];
            };
        };
        /** @description Integration Status Changed: a validation ended, or a re-check or running work found the bucket unreachable */
        IntegrationStatusChanged: {
            /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
            projectId: string;
            /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
            integrationId: string;
            /** @enum {string} */
            status: "ACTIVE" | "FAILED";
            /**
             * @description VALIDATING after a validation the customer started; ACTIVE when a re-check or work found access broken
             * @enum {string}
             */
            previousStatus: "VALIDATING" | "ACTIVE";
            /** @description present when FAILED, or when a validation of a change failed while the proved settings keep serving (status ACTIVE): the failed stage's code, e.g. KMS_ACCESS_DENIED */
            code?: string;
            /** @description the failed validation stage, beside `code` */
            stage?: string;
            /** @description validation (a run the customer started), recheck (the daily re-validation), export or forwarding (work that found access broken) */
            detectedBy: string;
            /** @description when the change happened (ISO 8601, UTC) */
            at: string;
        };
        /** @description Export Job Finished: an export job ended, complete (SUCCEEDED) or not (FAILED) */
        ExportJobFinished: {
            /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
            projectId: string;
            /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
            integrationId: string;
            jobId: string;
            /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
            clusterId: string;
            /** @description a backup id: 1 to 128 letters, digits and . _ : -, e.g. "bk-1" */
            backupId: string;
            /** @enum {string} */
            status: "SUCCEEDED" | "FAILED";
            /** @description present when FAILED: the job error's code, e.g. BUCKET_ACCESS_DENIED or EXPORT_ABANDONED */
            code?: string;
            /** @description when the change happened (ISO 8601, UTC) */
            at: string;
        };
        /** @description Audit Log Forwarding Health Changed: forwarding of a cluster started or stopped lagging or failing */
        AuditLogForwardingHealthChanged: {
            /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
            projectId: string;
            /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
            integrationId: string;
            /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
            clusterId: string;
            /** @enum {string} */
            health: "HEALTHY" | "LAGGING" | "FAILING";
            /** @enum {string} */
            previousHealth: "HEALTHY" | "LAGGING" | "FAILING";
            /** @description age of the oldest undelivered audit-log file */
            lagSeconds?: number;
            /** @description present when FAILING: the last delivery error's code */
            code?: string;
            /** @description when the change happened (ISO 8601, UTC) */
            at: string;
        };
        /** @description Audit Log Replay Finished: a replay of audit logs ended, every hour delivered (SUCCEEDED) or not (FAILED) */
        AuditLogReplayFinished: {
            /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
            projectId: string;
            /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
            integrationId: string;
            /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
            clusterId: string;
            replayId: string;
            /** @enum {string} */
            status: "SUCCEEDED" | "FAILED";
            /** @description present when FAILED: the replay error's code, e.g. WRITE_ACCESS_DENIED or FORWARDING_NOT_FOUND */
            code?: string;
            /** @description when the change happened (ISO 8601, UTC) */
            at: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The API is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
        };
    };
    getOpenApi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    listRegions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The served regions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            region: string;
                        }[];
                    };
                };
            };
        };
    };
    listIntegrations: {
        parameters: {
            query?: {
                limit?: number;
                nextToken?: string;
            };
            header?: never;
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of integrations */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                            integrationId: string;
                            /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                            projectId: string;
                            name: string;
                            description?: string;
                            region: string;
                            bucketName: string;
                            kmsKeyArn?: string;
                            externalId: string;
                            externalIdRotation?: {
                                /** @enum {string} */
                                status: "PENDING" | "RETIRING";
                                newExternalId: string;
                                oldExternalId: string;
                                startedAt: string;
                            };
                            /** @enum {string} */
                            status: "AWAITING_ROLE" | "VALIDATING" | "ACTIVE" | "FAILED";
                            roleArn?: string;
                            bucketOwnerAccountId?: string;
                            validation?: {
                                runId: string;
                                /** @enum {string} */
                                result: "RUNNING" | "SUCCESSFUL" | "FAILED";
                                stages: {
                                    /** @enum {string} */
                                    name: "ASSUME_ROLE" | "EXTERNAL_ID_ENFORCED" | "BUCKET_LOCATION" | "BUCKET_REGION" | "WRITE_ACCESS" | "READ_ACCESS";
                                    /** @enum {string} */
                                    status: "RUNNING" | "SUCCEEDED" | "FAILED";
                                    code?: string;
                                    message?: string;
                                    startedAt: string;
                                    endedAt?: string;
                                }[];
                                startedAt: string;
                                endedAt?: string;
                            };
                            awaitingValidation?: ("roleArn" | "kmsKeyArn" | "externalId")[];
                            health?: {
                                lastDeliveryAt?: string;
                                deliveryLatencySeconds?: number;
                                lagSeconds?: number;
                                lastError?: {
                                    code: string;
                                    message: string;
                                    at: string;
                                };
                                consecutiveFailures: number;
                            };
                            createdAt: string;
                            updatedAt: string;
                        }[];
                        nextToken?: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createIntegration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description 1 to 64 printable characters, unique in the project, e.g. "Nightly exports" */
                    name: string;
                    /** @description up to 512 printable characters; new lines and tabs are allowed */
                    description?: string;
                    /** @description one of the regions the platform serves (GET /v1/regions lists them), e.g. "us-east-1" */
                    region: string;
                    /** @description an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, e.g. "acme-exports" */
                    bucketName: string;
                    /** @description the ARN of the KMS key of the bucket's default encryption, in the integration region, e.g. "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" */
                    kmsKeyArn?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        name: string;
                        description?: string;
                        region: string;
                        bucketName: string;
                        kmsKeyArn?: string;
                        externalId: string;
                        externalIdRotation?: {
                            /** @enum {string} */
                            status: "PENDING" | "RETIRING";
                            newExternalId: string;
                            oldExternalId: string;
                            startedAt: string;
                        };
                        /** @enum {string} */
                        status: "AWAITING_ROLE" | "VALIDATING" | "ACTIVE" | "FAILED";
                        roleArn?: string;
                        bucketOwnerAccountId?: string;
                        validation?: {
                            runId: string;
                            /** @enum {string} */
                            result: "RUNNING" | "SUCCESSFUL" | "FAILED";
                            stages: {
                                /** @enum {string} */
                                name: "ASSUME_ROLE" | "EXTERNAL_ID_ENFORCED" | "BUCKET_LOCATION" | "BUCKET_REGION" | "WRITE_ACCESS" | "READ_ACCESS";
                                /** @enum {string} */
                                status: "RUNNING" | "SUCCEEDED" | "FAILED";
                                code?: string;
                                message?: string;
                                startedAt: string;
                                endedAt?: string;
                            }[];
                            startedAt: string;
                            endedAt?: string;
                        };
                        awaitingValidation?: ("roleArn" | "kmsKeyArn" | "externalId")[];
                        health?: {
                            lastDeliveryAt?: string;
                            deliveryLatencySeconds?: number;
                            lagSeconds?: number;
                            lastError?: {
                                code: string;
                                message: string;
                                at: string;
                            };
                            consecutiveFailures: number;
                        };
                        createdAt: string;
                        updatedAt: string;
                        setup: {
                            iamPolicy: {
                                Version: string;
                                Statement: {
                                    [key: string]: unknown;
                                }[];
                            };
                            trustPolicy: {
                                Version: string;
                                Statement: {
                                    [key: string]: unknown;
                                }[];
                            };
                            cloudFormationTemplate: {
                                [key: string]: unknown;
                            };
                            launchStackUrl?: string;
                        };
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The name is taken (NAME_TAKEN), or the project has the most integrations it may have (INTEGRATION_LIMIT_REACHED) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getIntegration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The integration */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        name: string;
                        description?: string;
                        region: string;
                        bucketName: string;
                        kmsKeyArn?: string;
                        externalId: string;
                        externalIdRotation?: {
                            /** @enum {string} */
                            status: "PENDING" | "RETIRING";
                            newExternalId: string;
                            oldExternalId: string;
                            startedAt: string;
                        };
                        /** @enum {string} */
                        status: "AWAITING_ROLE" | "VALIDATING" | "ACTIVE" | "FAILED";
                        roleArn?: string;
                        bucketOwnerAccountId?: string;
                        validation?: {
                            runId: string;
                            /** @enum {string} */
                            result: "RUNNING" | "SUCCESSFUL" | "FAILED";
                            stages: {
                                /** @enum {string} */
                                name: "ASSUME_ROLE" | "EXTERNAL_ID_ENFORCED" | "BUCKET_LOCATION" | "BUCKET_REGION" | "WRITE_ACCESS" | "READ_ACCESS";
                                /** @enum {string} */
                                status: "RUNNING" | "SUCCEEDED" | "FAILED";
                                code?: string;
                                message?: string;
                                startedAt: string;
                                endedAt?: string;
                            }[];
                            startedAt: string;
                            endedAt?: string;
                        };
                        awaitingValidation?: ("roleArn" | "kmsKeyArn" | "externalId")[];
                        health?: {
                            lastDeliveryAt?: string;
                            deliveryLatencySeconds?: number;
                            lagSeconds?: number;
                            lastError?: {
                                code: string;
                                message: string;
                                at: string;
                            };
                            consecutiveFailures: number;
                        };
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteIntegration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    editIntegration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description 1 to 64 printable characters, unique in the project, e.g. "Nightly exports" */
                    name?: string;
                    description?: string | null;
                    kmsKeyArn?: string | null;
                };
            };
        };
        responses: {
            /** @description The integration as edited, with its setup documents */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        name: string;
                        description?: string;
                        region: string;
                        bucketName: string;
                        kmsKeyArn?: string;
                        externalId: string;
                        externalIdRotation?: {
                            /** @enum {string} */
                            status: "PENDING" | "RETIRING";
                            newExternalId: string;
                            oldExternalId: string;
                            startedAt: string;
                        };
                        /** @enum {string} */
                        status: "AWAITING_ROLE" | "VALIDATING" | "ACTIVE" | "FAILED";
                        roleArn?: string;
                        bucketOwnerAccountId?: string;
                        validation?: {
                            runId: string;
                            /** @enum {string} */
                            result: "RUNNING" | "SUCCESSFUL" | "FAILED";
                            stages: {
                                /** @enum {string} */
                                name: "ASSUME_ROLE" | "EXTERNAL_ID_ENFORCED" | "BUCKET_LOCATION" | "BUCKET_REGION" | "WRITE_ACCESS" | "READ_ACCESS";
                                /** @enum {string} */
                                status: "RUNNING" | "SUCCEEDED" | "FAILED";
                                code?: string;
                                message?: string;
                                startedAt: string;
                                endedAt?: string;
                            }[];
                            startedAt: string;
                            endedAt?: string;
                        };
                        awaitingValidation?: ("roleArn" | "kmsKeyArn" | "externalId")[];
                        health?: {
                            lastDeliveryAt?: string;
                            deliveryLatencySeconds?: number;
                            lagSeconds?: number;
                            lastError?: {
                                code: string;
                                message: string;
                                at: string;
                            };
                            consecutiveFailures: number;
                        };
                        createdAt: string;
                        updatedAt: string;
                        setup: {
                            iamPolicy: {
                                Version: string;
                                Statement: {
                                    [key: string]: unknown;
                                }[];
                            };
                            trustPolicy: {
                                Version: string;
                                Statement: {
                                    [key: string]: unknown;
                                }[];
                            };
                            cloudFormationTemplate: {
                                [key: string]: unknown;
                            };
                            launchStackUrl?: string;
                        };
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The name is taken (NAME_TAKEN), a validation is running and the key cannot change now (VALIDATION_IN_PROGRESS), or the integration changed meanwhile (CONCURRENT_UPDATE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    startExternalIdRotation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The rotation is PENDING; the setup documents show the trust policy that accepts both IDs */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        name: string;
                        description?: string;
                        region: string;
                        bucketName: string;
                        kmsKeyArn?: string;
                        externalId: string;
                        externalIdRotation?: {
                            /** @enum {string} */
                            status: "PENDING" | "RETIRING";
                            newExternalId: string;
                            oldExternalId: string;
                            startedAt: string;
                        };
                        /** @enum {string} */
                        status: "AWAITING_ROLE" | "VALIDATING" | "ACTIVE" | "FAILED";
                        roleArn?: string;
                        bucketOwnerAccountId?: string;
                        validation?: {
                            runId: string;
                            /** @enum {string} */
                            result: "RUNNING" | "SUCCESSFUL" | "FAILED";
                            stages: {
                                /** @enum {string} */
                                name: "ASSUME_ROLE" | "EXTERNAL_ID_ENFORCED" | "BUCKET_LOCATION" | "BUCKET_REGION" | "WRITE_ACCESS" | "READ_ACCESS";
                                /** @enum {string} */
                                status: "RUNNING" | "SUCCEEDED" | "FAILED";
                                code?: string;
                                message?: string;
                                startedAt: string;
                                endedAt?: string;
                            }[];
                            startedAt: string;
                            endedAt?: string;
                        };
                        awaitingValidation?: ("roleArn" | "kmsKeyArn" | "externalId")[];
                        health?: {
                            lastDeliveryAt?: string;
                            deliveryLatencySeconds?: number;
                            lagSeconds?: number;
                            lastError?: {
                                code: string;
                                message: string;
                                at: string;
                            };
                            consecutiveFailures: number;
                        };
                        createdAt: string;
                        updatedAt: string;
                        setup: {
                            iamPolicy: {
                                Version: string;
                                Statement: {
                                    [key: string]: unknown;
                                }[];
                            };
                            trustPolicy: {
                                Version: string;
                                Statement: {
                                    [key: string]: unknown;
                                }[];
                            };
                            cloudFormationTemplate: {
                                [key: string]: unknown;
                            };
                            launchStackUrl?: string;
                        };
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A rotation is under way (ROTATION_IN_PROGRESS), a validation is running (VALIDATION_IN_PROGRESS), or the integration changed meanwhile (CONCURRENT_UPDATE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancelExternalIdRotation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Cancelled */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No rotation under way (ROTATION_NOT_FOUND), or no such integration */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The new ID is already in use (ROTATION_SWITCHED), or a validation is running (VALIDATION_IN_PROGRESS) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getIntegrationSetup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The setup documents */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        iamPolicy: {
                            Version: string;
                            Statement: {
                                [key: string]: unknown;
                            }[];
                        };
                        trustPolicy: {
                            Version: string;
                            Statement: {
                                [key: string]: unknown;
                            }[];
                        };
                        cloudFormationTemplate: {
                            [key: string]: unknown;
                        };
                        launchStackUrl?: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getIntegrationLagHistory: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The lag series */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        slotSeconds: number;
                        points: {
                            at: string;
                            lagSeconds: number;
                        }[];
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setIntegrationRole: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description the ARN of the role you created in your account, e.g. "arn:aws:iam::123456789012:role/s3-integration" */
                    roleArn: string;
                };
            };
        };
        responses: {
            /** @description Validation started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        name: string;
                        description?: string;
                        region: string;
                        bucketName: string;
                        kmsKeyArn?: string;
                        externalId: string;
                        externalIdRotation?: {
                            /** @enum {string} */
                            status: "PENDING" | "RETIRING";
                            newExternalId: string;
                            oldExternalId: string;
                            startedAt: string;
                        };
                        /** @enum {string} */
                        status: "AWAITING_ROLE" | "VALIDATING" | "ACTIVE" | "FAILED";
                        roleArn?: string;
                        bucketOwnerAccountId?: string;
                        validation?: {
                            runId: string;
                            /** @enum {string} */
                            result: "RUNNING" | "SUCCESSFUL" | "FAILED";
                            stages: {
                                /** @enum {string} */
                                name: "ASSUME_ROLE" | "EXTERNAL_ID_ENFORCED" | "BUCKET_LOCATION" | "BUCKET_REGION" | "WRITE_ACCESS" | "READ_ACCESS";
                                /** @enum {string} */
                                status: "RUNNING" | "SUCCEEDED" | "FAILED";
                                code?: string;
                                message?: string;
                                startedAt: string;
                                endedAt?: string;
                            }[];
                            startedAt: string;
                            endedAt?: string;
                        };
                        awaitingValidation?: ("roleArn" | "kmsKeyArn" | "externalId")[];
                        health?: {
                            lastDeliveryAt?: string;
                            deliveryLatencySeconds?: number;
                            lagSeconds?: number;
                            lastError?: {
                                code: string;
                                message: string;
                                at: string;
                            };
                            consecutiveFailures: number;
                        };
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The integration started its validations for this minute (TOO_MANY_VALIDATIONS); Retry-After says when to try again */
            429: {
                headers: {
                    /** @description Seconds to wait before validating this integration again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    validateIntegration: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                integrationId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Validation started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        name: string;
                        description?: string;
                        region: string;
                        bucketName: string;
                        kmsKeyArn?: string;
                        externalId: string;
                        externalIdRotation?: {
                            /** @enum {string} */
                            status: "PENDING" | "RETIRING";
                            newExternalId: string;
                            oldExternalId: string;
                            startedAt: string;
                        };
                        /** @enum {string} */
                        status: "AWAITING_ROLE" | "VALIDATING" | "ACTIVE" | "FAILED";
                        roleArn?: string;
                        bucketOwnerAccountId?: string;
                        validation?: {
                            runId: string;
                            /** @enum {string} */
                            result: "RUNNING" | "SUCCESSFUL" | "FAILED";
                            stages: {
                                /** @enum {string} */
                                name: "ASSUME_ROLE" | "EXTERNAL_ID_ENFORCED" | "BUCKET_LOCATION" | "BUCKET_REGION" | "WRITE_ACCESS" | "READ_ACCESS";
                                /** @enum {string} */
                                status: "RUNNING" | "SUCCEEDED" | "FAILED";
                                code?: string;
                                message?: string;
                                startedAt: string;
                                endedAt?: string;
                            }[];
                            startedAt: string;
                            endedAt?: string;
                        };
                        awaitingValidation?: ("roleArn" | "kmsKeyArn" | "externalId")[];
                        health?: {
                            lastDeliveryAt?: string;
                            deliveryLatencySeconds?: number;
                            lagSeconds?: number;
                            lastError?: {
                                code: string;
                                message: string;
                                at: string;
                            };
                            consecutiveFailures: number;
                        };
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The integration started its validations for this minute (TOO_MANY_VALIDATIONS); Retry-After says when to try again */
            429: {
                headers: {
                    /** @description Seconds to wait before validating this integration again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listClusters: {
        parameters: {
            query?: {
                limit?: number;
                nextToken?: string;
            };
            header?: never;
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of clusters */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                            clusterId: string;
                            region: string;
                            /** @enum {string} */
                            tier: "dedicated" | "serverless";
                        }[];
                        nextToken?: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listBackups: {
        parameters: {
            query?: {
                limit?: number;
                nextToken?: string;
            };
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of backups */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                            clusterId: string;
                            /** @description a backup id: 1 to 128 letters, digits and . _ : -, e.g. "bk-1" */
                            backupId: string;
                            /** @constant */
                            status: "AVAILABLE";
                            completedAt: string;
                        }[];
                        nextToken?: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAuditLogForwarding: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The forwarding */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                        clusterId: string;
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        directory: string;
                        /** @enum {string} */
                        compression: "none" | "gzip";
                        paused: boolean;
                        pausedAt?: string;
                        destination: {
                            bucket: string;
                            prefix: string;
                        };
                        enabledAt: string;
                        updatedAt: string;
                        pendingSince?: string;
                        lastDigest?: {
                            hour: string;
                            key: string;
                        };
                        health: {
                            lastDeliveryAt?: string;
                            deliveryLatencySeconds?: number;
                            lagSeconds?: number;
                            lastError?: {
                                code: string;
                                message: string;
                                at: string;
                            };
                            consecutiveFailures: number;
                        };
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putAuditLogForwarding: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                    integrationId: string;
                    /** @description a folder of the bucket: letters, digits and ! - _ . ' ( ) in segments joined by "/", e.g. "exports" or "backups/prod" (a trailing "/" is dropped) */
                    directory: string;
                    /** @enum {string} */
                    compression?: "none" | "gzip";
                };
            };
        };
        responses: {
            /** @description Forwarding changed; pending files go to the new place, and a new digest chain starts there */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                        clusterId: string;
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        directory: string;
                        /** @enum {string} */
                        compression: "none" | "gzip";
                        paused: boolean;
                        pausedAt?: string;
                        destination: {
                            bucket: string;
                            prefix: string;
                        };
                        enabledAt: string;
                        updatedAt: string;
                        pendingSince?: string;
                        lastDigest?: {
                            hour: string;
                            key: string;
                        };
                        health: {
                            lastDeliveryAt?: string;
                            deliveryLatencySeconds?: number;
                            lagSeconds?: number;
                            lastError?: {
                                code: string;
                                message: string;
                                at: string;
                            };
                            consecutiveFailures: number;
                        };
                    };
                };
            };
            /** @description Forwarding turned on */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                        clusterId: string;
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        directory: string;
                        /** @enum {string} */
                        compression: "none" | "gzip";
                        paused: boolean;
                        pausedAt?: string;
                        destination: {
                            bucket: string;
                            prefix: string;
                        };
                        enabledAt: string;
                        updatedAt: string;
                        pendingSince?: string;
                        lastDigest?: {
                            hour: string;
                            key: string;
                        };
                        health: {
                            lastDeliveryAt?: string;
                            deliveryLatencySeconds?: number;
                            lagSeconds?: number;
                            lastError?: {
                                code: string;
                                message: string;
                                at: string;
                            };
                            consecutiveFailures: number;
                        };
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The integration is in another region than the cluster (REGION_MISMATCH) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteAuditLogForwarding: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Forwarding turned off */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchAuditLogForwarding: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    paused?: boolean;
                    /** @enum {string} */
                    compression?: "none" | "gzip";
                };
            };
        };
        responses: {
            /** @description The forwarding as changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                        clusterId: string;
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        directory: string;
                        /** @enum {string} */
                        compression: "none" | "gzip";
                        paused: boolean;
                        pausedAt?: string;
                        destination: {
                            bucket: string;
                            prefix: string;
                        };
                        enabledAt: string;
                        updatedAt: string;
                        pendingSince?: string;
                        lastDigest?: {
                            hour: string;
                            key: string;
                        };
                        health: {
                            lastDeliveryAt?: string;
                            deliveryLatencySeconds?: number;
                            lagSeconds?: number;
                            lastError?: {
                                code: string;
                                message: string;
                                at: string;
                            };
                            consecutiveFailures: number;
                        };
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    startAuditLogReplay: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: date-time */
                    from: string;
                    /** Format: date-time */
                    to: string;
                };
            };
        };
        responses: {
            /** @description The replay job, started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        replayId: string;
                        /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                        clusterId: string;
                        /** @enum {string} */
                        status: "RUNNING" | "SUCCEEDED" | "FAILED";
                        from: string;
                        to: string;
                        progress: {
                            hoursTotal: number;
                            hoursDone: number;
                            filesDelivered: number;
                            filesAlreadyPresent: number;
                        };
                        error?: {
                            code: string;
                            message: string;
                        };
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A replay runs already (REPLAY_RUNNING), forwarding is paused (FORWARDING_PAUSED), or the integration is not ACTIVE (INTEGRATION_NOT_ACTIVE) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The window starts before forwarding was turned on, has not begun, or is longer than 31 days (REPLAY_WINDOW_INVALID) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAuditLogReplay: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
                replayId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The replay job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        replayId: string;
                        /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                        clusterId: string;
                        /** @enum {string} */
                        status: "RUNNING" | "SUCCEEDED" | "FAILED";
                        from: string;
                        to: string;
                        progress: {
                            hoursTotal: number;
                            hoursDone: number;
                            filesDelivered: number;
                            filesAlreadyPresent: number;
                        };
                        error?: {
                            code: string;
                            message: string;
                        };
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAuditLogDigestKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The public key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keyArn: string;
                        keyFingerprint: string;
                        /** @constant */
                        signingAlgorithm: "RSASSA_PSS_SHA_256";
                        publicKeyPem: string;
                    };
                };
            };
        };
    };
    startBackupExport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
                backupId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                    integrationId: string;
                    /** @description a folder of the bucket: letters, digits and ! - _ . ' ( ) in segments joined by "/", e.g. "exports" or "backups/prod" (a trailing "/" is dropped) */
                    directory: string;
                };
            };
        };
        responses: {
            /** @description The export job is queued or already exists */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        jobId: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The integration is in another region than the cluster (REGION_MISMATCH) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getBackupExportRule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The rule */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                        clusterId: string;
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        directory: string;
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putBackupExportRule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                    integrationId: string;
                    /** @description a folder of the bucket: letters, digits and ! - _ . ' ( ) in segments joined by "/", e.g. "exports" or "backups/prod" (a trailing "/" is dropped) */
                    directory: string;
                };
            };
        };
        responses: {
            /** @description The rule as stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                        clusterId: string;
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        directory: string;
                        createdAt: string;
                        updatedAt: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The integration is in another region than the cluster (REGION_MISMATCH) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteBackupExportRule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                clusterId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Rule deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listExportJobs: {
        parameters: {
            query?: {
                limit?: number;
                nextToken?: string;
            };
            header?: never;
            path: {
                projectId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of jobs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            jobId: string;
                            /** @constant */
                            type: "BACKUP_EXPORT";
                            /** @enum {string} */
                            status: "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED";
                            /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                            projectId: string;
                            /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                            clusterId: string;
                            /** @description a backup id: 1 to 128 letters, digits and . _ : -, e.g. "bk-1" */
                            backupId: string;
                            /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                            integrationId: string;
                            /** @enum {string} */
                            trigger: "API" | "AUTO_EXPORT_RULE";
                            progress: {
                                objectsTotal: number;
                                objectsCopied: number;
                                bytesTotal: number;
                                bytesCopied: number;
                            };
                            destination: {
                                bucket: string;
                                prefix: string;
                            };
                            manifestKey?: string;
                            error?: {
                                code: string;
                                message: string;
                            };
                            createdAt: string;
                            updatedAt: string;
                            startedAt?: string;
                            endedAt?: string;
                        }[];
                        nextToken?: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getExportJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                projectId: string;
                jobId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        jobId: string;
                        /** @constant */
                        type: "BACKUP_EXPORT";
                        /** @enum {string} */
                        status: "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED";
                        /** @description a project id: 1 to 128 letters, digits and . _ : -, e.g. "proj-1" */
                        projectId: string;
                        /** @description a cluster id: 1 to 128 letters, digits and . _ : -, e.g. "cl-1" */
                        clusterId: string;
                        /** @description a backup id: 1 to 128 letters, digits and . _ : -, e.g. "bk-1" */
                        backupId: string;
                        /** @description an integration id: "integ-" and 20 lower-case letters or digits, as POST .../integrations returned it */
                        integrationId: string;
                        /** @enum {string} */
                        trigger: "API" | "AUTO_EXPORT_RULE";
                        progress: {
                            objectsTotal: number;
                            objectsCopied: number;
                            bytesTotal: number;
                            bytesCopied: number;
                        };
                        destination: {
                            bucket: string;
                            prefix: string;
                        };
                        manifestKey?: string;
                        error?: {
                            code: string;
                            message: string;
                        };
                        createdAt: string;
                        updatedAt: string;
                        startedAt?: string;
                        endedAt?: string;
                    };
                };
            };
            /** @description Invalid input; nothing was written */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or invalid token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed, or the feature is not available to this project */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such resource, or no access to it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
