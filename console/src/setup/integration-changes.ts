/**
 * The changes an owner or admin makes to an integration after it exists: Edit (name, description,
 * KMS key: PATCH) and the rotation of its external ID (POST and DELETE .../external-id-rotation),
 * with what the customer has to do in AWS at each step. Each change announces the integration as
 * the API answered it (`integration-changed`), so the details screen shows it at once.
 */
import { LitElement, html } from 'lit';
import type { ConsoleContext } from '../app/context';
import { routes } from '../app/routes';
import { describeError } from '../api/errors';
import type { Integration } from '../api/types';
import { shared } from '../components/styles';

type EditBody = { name?: string; description?: string | null; kmsKeyArn?: string | null };

/** Only what changed goes in the PATCH; an emptied description or key is removed (null). */
function changes(integration: Integration, form: FormData): EditBody {
  const field = (name: string) => String(form.get(name) ?? '').trim();
  const body: EditBody = {};
  if (field('name') !== integration.name) body.name = field('name');
  if (field('description') !== (integration.description ?? '')) body.description = field('description') || null;
  if (field('kmsKeyArn') !== (integration.kmsKeyArn ?? '')) body.kmsKeyArn = field('kmsKeyArn') || null;
  return body;
}

export class IntegrationChanges extends LitElement {
  static override properties = {
    context: { attribute: false },
    integration: { attribute: false },
    error: { state: true },
    busy: { state: true },
  };
  declare context: ConsoleContext;
  declare integration: Integration;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.error = '';
    this.busy = false;
  }

  static override styles = [shared];

  private get path() {
    return { params: { path: { projectId: this.context.projectId, integrationId: this.integration.integrationId } } };
  }

  private dialog() {
    return this.renderRoot.querySelector('dialog') as HTMLDialogElement;
  }

  private changed(integration: Integration) {
    this.dispatchEvent(new CustomEvent('integration-changed', { detail: integration, bubbles: true, composed: true }));
  }

  /** Runs one change; its error stays on screen, next to the action that caused it. */
  private async run(change: () => Promise<Integration | undefined>) {
    this.busy = true;
    this.error = '';
    try {
      const integration = await change();
      if (integration) this.changed(integration);
      return true;
    } catch (error) {
      this.error = describeError(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async save(event: SubmitEvent) {
    event.preventDefault();
    const body = changes(this.integration, new FormData(event.target as HTMLFormElement));
    if (Object.keys(body).length === 0) return this.dialog().close();
    const { api } = this.context;
    if (
      await this.run(() =>
        api.call(api.raw.PATCH('/v1/projects/{projectId}/integrations/{integrationId}', { ...this.path, body })),
      )
    )
      this.dialog().close();
  }

  private rotate() {
    const { api } = this.context;
    return this.run(() =>
      api.call(api.raw.POST('/v1/projects/{projectId}/integrations/{integrationId}/external-id-rotation', this.path)),
    );
  }

  private cancelRotation() {
    const { api } = this.context;
    return this.run(async () => {
      await api.call(
        api.raw.DELETE('/v1/projects/{projectId}/integrations/{integrationId}/external-id-rotation', this.path),
      );
      return api.call(api.raw.GET('/v1/projects/{projectId}/integrations/{integrationId}', this.path));
    });
  }

  /** Where a rotation stands, and the customer's next step in AWS. */
  private rotation() {
    const rotation = this.integration.externalIdRotation;
    const validate = html`<a class="button" href=${routes.validation(this.integration.integrationId)}
      >Validate again</a
    >`;
    if (rotation?.status === 'PENDING') {
      return html`<section class="card" aria-labelledby="rotation">
        <h2 id="rotation">External ID rotation: waiting for your role</h2>
        <p>
          New external ID: <code>${rotation.newExternalId}</code>. Put the trust policy under
          <em>Documents for your AWS account</em> on your role (it accepts both IDs), then validate again. Exports and
          forwarding keep the current ID until validation proves the new one.
        </p>
        <div class="actions">
          ${validate}<button type="button" @click=${this.cancelRotation} ?disabled=${this.busy}>
            Cancel the rotation
          </button>
        </div>
      </section>`;
    }
    if (rotation?.status === 'RETIRING') {
      return html`<section class="card" aria-labelledby="rotation">
        <h2 id="rotation">External ID rotation: remove the old ID</h2>
        <p>
          The new external ID is in use. Your role still accepts the old one, <code>${rotation.oldExternalId}</code>:
          put the trust policy under <em>Documents for your AWS account</em> on your role (it accepts only the new ID),
          then validate again to retire the old one for good.
        </p>
        <div class="actions">${validate}</div>
      </section>`;
    }
    return '';
  }

  override render() {
    const integration = this.integration;
    return html`
      <div class="actions">
        <button type="button" @click=${() => ((this.error = ''), this.dialog().showModal())}>Edit</button>
        ${
          integration.externalIdRotation
            ? ''
            : html`<button
                type="button"
                @click=${this.rotate}
                ?disabled=${this.busy || integration.status === 'VALIDATING'}
              >
                Rotate the external ID
              </button>`
        }
      </div>
      ${this.error && !this.dialog()?.open ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.rotation()}
      <dialog aria-labelledby="edit-title">
        <form @submit=${this.save}>
          <h2 id="edit-title">Edit ${integration.name}</h2>
          <label for="edit-name">Name</label>
          <input id="edit-name" name="name" required maxlength="64" autocomplete="off" .value=${integration.name} />
          <label for="edit-description">Description <span class="hint">(optional)</span></label>
          <textarea
            id="edit-description"
            name="description"
            rows="2"
            maxlength="512"
            .value=${integration.description ?? ''}
          ></textarea>
          <label for="edit-key">KMS key ARN <span class="hint">(empty: S3-managed encryption)</span></label>
          <input
            id="edit-key"
            name="kmsKeyArn"
            autocomplete="off"
            spellcheck="false"
            aria-describedby="edit-key-hint"
            .value=${integration.kmsKeyArn ?? ''}
          />
          <p class="hint" id="edit-key-hint">
            A new key changes the IAM policy for your role: update the role, then validate again. Until then, work keeps
            the key validation last proved.
          </p>
          ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
          <div class="actions">
            <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : 'Save'}</button>
            <button type="button" @click=${() => this.dialog().close()}>Cancel</button>
          </div>
        </form>
      </dialog>
    `;
  }
}

customElements.define('s3i-integration-changes', IntegrationChanges);
