/**
 * Screen 4: one integration: its settings, the documents for the customer's AWS account, the
 * latest validation report, health with the lag chart, and Delete behind a confirmation that
 * explains why the service may refuse (an export or forwarding still uses it).
 * Write actions live in one place (`writeActions`); Edit and the external-ID rotation are in
 * setup/integration-changes.ts, and every change reloads the integration and its documents.
 */
import { LitElement, css, html } from 'lit';
import type { ConsoleContext } from '../app/context';
import { routes } from '../app/routes';
import { ApiError, describeError, withoutApiHints } from '../api/errors';
import type { Integration, LagHistory, SetupDocuments } from '../api/types';
import { ago, duration, time } from '../components/format';
import { shared } from '../components/styles';
import '../components/lag-chart';
import '../setup/validation-report';
import '../setup/integration-changes';

export class IntegrationDetails extends LitElement {
  static override properties = {
    context: { attribute: false },
    integrationId: {},
    integration: { state: true },
    documents: { state: true },
    lag: { state: true },
    error: { state: true },
    deleteError: { state: true },
    deleting: { state: true },
  };
  declare context: ConsoleContext;
  declare integrationId: string;
  declare integration: Integration | undefined;
  declare documents: SetupDocuments | undefined;
  declare lag: LagHistory | undefined;
  declare error: string;
  declare deleteError: string;
  declare deleting: boolean;

  constructor() {
    super();
    this.error = '';
    this.deleteError = '';
    this.deleting = false;
  }

  static override styles = [
    shared,
    css`
      .id {
        display: inline-flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        align-items: center;
      }
    `,
  ];

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private get path() {
    return { params: { path: { projectId: this.context.projectId, integrationId: this.integrationId } } };
  }

  private async load() {
    const { api } = this.context;
    try {
      const [integration, documents, lag] = await Promise.all([
        api.call(api.raw.GET('/v1/projects/{projectId}/integrations/{integrationId}', this.path)),
        api.call(api.raw.GET('/v1/projects/{projectId}/integrations/{integrationId}/setup', this.path)),
        api.call(api.raw.GET('/v1/projects/{projectId}/integrations/{integrationId}/lag-history', this.path)),
      ]);
      Object.assign(this, { integration, documents, lag, error: '' });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private dialog() {
    return this.renderRoot.querySelector('dialog') as HTMLDialogElement;
  }

  private async confirmDelete() {
    this.deleting = true;
    this.deleteError = '';
    try {
      await this.context.api.call(
        this.context.api.raw.DELETE('/v1/projects/{projectId}/integrations/{integrationId}', this.path),
      );
      this.dialog().close();
      this.context.navigate(routes.integrations);
    } catch (error) {
      this.deleteError =
        error instanceof ApiError && error.status === 409
          ? `It was not deleted. ${describeError(error)}`
          : describeError(error);
    } finally {
      this.deleting = false;
    }
  }

  /** Owners' and admins' actions on this integration. */
  private writeActions(integration: Integration) {
    if (!this.context.canWrite) return '';
    return html`<div class="actions">
        ${
          integration.status === 'AWAITING_ROLE' || integration.status === 'FAILED'
            ? html`<a class="button primary" href=${routes.validation(integration.integrationId)}
                >${
                  integration.status === 'FAILED'
                    ? 'See what failed and validate again'
                    : 'Continue setup: paste the role ARN'
                }</a
              >`
            : ''
        }
        <button class="danger" type="button" @click=${() => ((this.deleteError = ''), this.dialog().showModal())}>
          Delete
        </button>
      </div>
      <s3i-integration-changes
        .context=${this.context}
        .integration=${integration}
        @integration-changed=${() => void this.load()}
      ></s3i-integration-changes>`;
  }

  override render() {
    const integration = this.integration;
    if (!integration) {
      return html`<h1 tabindex="-1">Integration</h1>
        ${
          this.error
            ? html`<div class="error" role="alert">${this.error}</div>`
            : html`<s3i-loading text="Loading the integration…"></s3i-loading>`
        }`;
    }
    const health = integration.health;
    return html`
      <h1 tabindex="-1">${integration.name} <s3i-status-badge status=${integration.status}></s3i-status-badge></h1>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''} ${this.writeActions(integration)}
      <section class="card" aria-labelledby="settings">
        <h2 id="settings">Settings</h2>
        <dl>
          <dt>Integration ID</dt>
          <dd>
            <span class="id"
              ><code>${integration.integrationId}</code
              ><s3i-copy-button .value=${integration.integrationId} label="Copy the integration ID"></s3i-copy-button
            ></span>
          </dd>
          ${
            integration.description
              ? html`<dt>Description</dt>
                  <dd>${integration.description}</dd>`
              : ''
          }
          <dt>Region</dt>
          <dd>${integration.region}</dd>
          <dt>Bucket</dt>
          <dd>${integration.bucketName}</dd>
          <dt>KMS key</dt>
          <dd>${integration.kmsKeyArn ?? 'None (S3-managed encryption)'}</dd>
          <dt>External ID</dt>
          <dd>
            <span class="id"
              ><code>${integration.externalId}</code
              ><s3i-copy-button .value=${integration.externalId} label="Copy the external ID"></s3i-copy-button
            ></span>
          </dd>
          ${
            integration.externalIdRotation
              ? html`<dt>External ID rotation</dt>
                  <dd>
                    ${
                      integration.externalIdRotation.status === 'PENDING'
                        ? 'waiting for the role to accept the new ID'
                        : 'the old ID is being retired'
                    }
                    (since ${time(integration.externalIdRotation.startedAt)})
                  </dd>`
              : ''
          }
          <dt>Role</dt>
          <dd>${integration.roleArn ?? 'Not set yet'}</dd>
          <dt>Bucket owner</dt>
          <dd>
            ${
              integration.bucketOwnerAccountId
                ? `AWS account ${integration.bucketOwnerAccountId}`
                : 'Known after validation'
            }
          </dd>
          <dt>Created</dt>
          <dd>${time(integration.createdAt)}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="health">
        <h2 id="health">Health</h2>
        ${
          health?.lastDeliveryAt || health?.lastError
            ? html`<dl>
                <dt>Last delivery</dt>
                <dd>${ago(health.lastDeliveryAt)}</dd>
                <dt>Current lag</dt>
                <dd>${duration(health.lagSeconds)}</dd>
                <dt>Failed runs in a row</dt>
                <dd>${health.consecutiveFailures}</dd>
                ${
                  health.lastError
                    ? html`<dt>Last error</dt>
                        <dd>${time(health.lastError.at)}: ${withoutApiHints(health.lastError.message)}</dd>`
                    : ''
                }
              </dl>`
            : html`<p class="empty">Health appears once audit-log forwarding delivers through this integration.</p>`
        }
        <h3>Lag over the last 24 hours</h3>
        <s3i-lag-chart .history=${this.lag}></s3i-lag-chart>
      </section>
      <section class="card" aria-labelledby="validation">
        <h2 id="validation">Latest validation</h2>
        ${
          integration.validation
            ? html`<p class="hint">
                  Started ${time(integration.validation.startedAt)}; result
                  ${integration.validation.result.toLowerCase()}.
                </p>
                <s3i-validation-report
                  .integration=${integration}
                  .documents=${this.documents}
                ></s3i-validation-report>`
            : html`<p class="empty">Not validated yet.</p>`
        }
      </section>
      <section class="card" aria-labelledby="documents">
        <h2 id="documents">Documents for your AWS account</h2>
        ${
          this.documents
            ? html`${
                  this.documents.launchStackUrl
                    ? html`<p>
                        <a href=${this.documents.launchStackUrl} target="_blank" rel="noopener"
                          >Create the role with CloudFormation (Launch Stack)</a
                        >
                      </p>`
                    : ''
                }
                <details>
                  <summary>IAM policy</summary>
                  <s3i-json-block label="IAM policy" .value=${this.documents.iamPolicy}></s3i-json-block>
                </details>
                <details>
                  <summary>Trust policy</summary>
                  <s3i-json-block label="Trust policy" .value=${this.documents.trustPolicy}></s3i-json-block>
                </details>
                <details>
                  <summary>CloudFormation template</summary>
                  <s3i-json-block
                    label="CloudFormation template"
                    .value=${this.documents.cloudFormationTemplate}
                  ></s3i-json-block>
                </details>`
            : ''
        }
      </section>
      <dialog aria-labelledby="delete-title">
        <h2 id="delete-title">Delete ${integration.name}?</h2>
        <p>
          The platform stops using the bucket ${integration.bucketName} and forgets this integration; its external ID is
          never used again. Files already in the bucket stay there. The role in your AWS account stays too: delete it
          there when you no longer need it.
        </p>
        <p class="hint">
          The service refuses while an export is running through this integration or audit-log forwarding of a cluster
          uses it: wait for the export, or turn forwarding off first.
        </p>
        ${this.deleteError ? html`<div class="error" role="alert">${this.deleteError}</div>` : ''}
        <div class="actions">
          <button class="danger primary" type="button" @click=${this.confirmDelete} ?disabled=${this.deleting}>
            ${this.deleting ? 'Deleting…' : 'Delete integration'}
          </button>
          <button type="button" @click=${() => this.dialog().close()}>Cancel</button>
        </div>
      </dialog>
    `;
  }
}

customElements.define('s3i-integration-details', IntegrationDetails);
