/**
 * Screen 3: validation, live. Polls the integration while its validation runs and shows each of
 * the six stages as it ends; a failure shows its fix and "Validate again"; success shows the
 * bucket owner's account and how long it took from the click on Validate.
 */
import { LitElement, html } from 'lit';
import type { ConsoleContext } from '../app/context';
import { routes } from '../app/routes';
import { describeError } from '../api/errors';
import type { Integration, SetupDocuments } from '../api/types';
import { shared } from '../components/styles';
import '../setup/validation-report';
import '../setup/role-form';

const POLL_MS = 250;

export class ValidationView extends LitElement {
  static override properties = {
    context: { attribute: false },
    integrationId: {},
    integration: { state: true },
    documents: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare context: ConsoleContext;
  declare integrationId: string;
  declare integration: Integration | undefined;
  declare documents: SetupDocuments | undefined;
  declare error: string;
  declare busy: boolean;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.error = '';
    this.busy = false;
  }

  static override styles = [shared];

  override connectedCallback() {
    super.connectedCallback();
    this.addEventListener('validation-started', () => void this.poll());
    void this.poll();
  }

  override disconnectedCallback() {
    clearTimeout(this.timer);
    super.disconnectedCallback();
  }

  private get path() {
    return { params: { path: { projectId: this.context.projectId, integrationId: this.integrationId } } };
  }

  private running(integration: Integration | undefined) {
    return integration?.status === 'VALIDATING' || integration?.validation?.result === 'RUNNING';
  }

  private async poll() {
    clearTimeout(this.timer);
    try {
      this.integration = await this.context.api.call(
        this.context.api.raw.GET('/v1/projects/{projectId}/integrations/{integrationId}', this.path),
      );
      this.error = '';
      if (this.integration.status === 'FAILED' && !this.documents) {
        this.documents = await this.context.api.call(
          this.context.api.raw.GET('/v1/projects/{projectId}/integrations/{integrationId}/setup', this.path),
        );
      }
    } catch (error) {
      this.error = describeError(error);
    }
    if (this.running(this.integration) || (!this.integration && !this.error))
      this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }

  private async validateAgain() {
    this.busy = true;
    try {
      sessionStorage.setItem(`s3i-validate-clicked:${this.integrationId}`, String(Date.now()));
      this.integration = await this.context.api.call(
        this.context.api.raw.POST('/v1/projects/{projectId}/integrations/{integrationId}/validate', this.path),
      );
      this.error = '';
      void this.poll();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  /** Seconds from the click on Validate to the end of the run, as this browser saw it. */
  private elapsed(integration: Integration): string | undefined {
    const clicked = Number(sessionStorage.getItem(`s3i-validate-clicked:${this.integrationId}`));
    const ended = integration.validation?.endedAt ? Date.parse(integration.validation.endedAt) : undefined;
    if (!clicked || !ended || ended < clicked - 5_000) return undefined;
    return ((ended - clicked) / 1000).toFixed(1);
  }

  override render() {
    const integration = this.integration;
    return html`
      <h1 tabindex="-1">Validation${integration ? html`: ${integration.name}` : ''}</h1>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${
        integration
          ? this.renderState(integration)
          : this.error
            ? ''
            : html`<s3i-loading text="Loading the integration…"></s3i-loading>`
      }
      <div class="actions">
        <a href=${routes.integration(this.integrationId)}>Integration details</a
        ><a href=${routes.integrations}>All integrations</a>
      </div>
    `;
  }

  private renderState(integration: Integration) {
    const running = this.running(integration);
    const elapsed = this.elapsed(integration);
    let summary;
    if (integration.status === 'AWAITING_ROLE') {
      summary = this.context.canWrite
        ? html`<div class="notice">Paste the role ARN to start validation.</div>
            <s3i-role-form .context=${this.context} integrationId=${integration.integrationId}></s3i-role-form>`
        : html`<div class="notice">The role is not set yet.</div>`;
    } else if (running) {
      summary = html`<div class="notice" role="status">
        Validating <s3i-status-badge status="VALIDATING"></s3i-status-badge> Each check appears as it ends.
      </div>`;
    } else if (integration.status === 'ACTIVE') {
      summary = html`<div class="success" role="status">
        <s3i-status-badge status="ACTIVE"></s3i-status-badge> The integration
        works${elapsed ? html` (validated in <span data-testid="validated-in">${elapsed}</span> s)` : ''}. The bucket
        belongs to AWS account <strong>${integration.bucketOwnerAccountId}</strong>; every write to it requires that
        owner. You can now export backups and forward audit logs to it.
      </div>`;
    } else {
      summary = html`<div class="error" role="alert">
        <s3i-status-badge status="FAILED"></s3i-status-badge> Validation failed. The failed check below says what to
        change in AWS; then validate again.
      </div>`;
    }
    return html`
      ${summary}
      ${
        integration.validation
          ? html`<section class="card" aria-label="Validation stages">
              <s3i-validation-report .integration=${integration} .documents=${this.documents}></s3i-validation-report>
            </section>`
          : ''
      }
      ${
        this.context.canWrite && !running && integration.roleArn
          ? html`<div class="actions">
                <button class="primary" type="button" @click=${this.validateAgain} ?disabled=${this.busy}>
                  ${this.busy ? 'Starting…' : 'Validate again'}
                </button>
              </div>
              <details>
                <summary>Use another role instead</summary>
                <s3i-role-form
                  .context=${this.context}
                  integrationId=${integration.integrationId}
                  .roleArn=${integration.roleArn ?? ''}
                ></s3i-role-form>
              </details>`
          : ''
      }
    `;
  }
}

customElements.define('s3i-validation-view', ValidationView);
