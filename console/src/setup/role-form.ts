/**
 * Step 5 of the setup: paste the role ARN and validate. Storing the role starts validation
 * (PUT .../role), and the console moves to the live validation screen.
 */
import { LitElement, css, html } from 'lit';
import { ROLE_ARN } from '../../../shared/integrations/naming-rules';
import type { ConsoleContext } from '../app/context';
import { routes } from '../app/routes';
import { describeError } from '../api/errors';
import { shared } from '../components/styles';

export class RoleForm extends LitElement {
  static override properties = {
    context: { attribute: false },
    integrationId: {},
    roleArn: {},
    touched: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  declare context: ConsoleContext;
  declare integrationId: string;
  declare roleArn: string;
  declare touched: boolean;
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.roleArn = '';
    this.touched = false;
    this.busy = false;
    this.error = '';
  }

  static override styles = [
    shared,
    css`
      #role-arn {
        max-width: 48rem;
      }
    `,
  ];

  private problem(): string {
    const arn = this.roleArn.trim();
    if (!arn) return 'Paste the ARN of the role you created.';
    return ROLE_ARN.test(arn)
      ? ''
      : 'This is not a role ARN. It looks like arn:aws:iam::123456789012:role/role-name (IAM > Roles > your ' +
          'role > ARN).';
  }

  private async validate(event: Event) {
    event.preventDefault();
    this.touched = true;
    if (this.problem()) {
      (this.renderRoot.querySelector('#role-arn') as HTMLInputElement | null)?.focus();
      return;
    }
    this.busy = true;
    this.error = '';
    const clickedAt = performance.now();
    try {
      await this.context.api.call(
        this.context.api.raw.PUT('/v1/projects/{projectId}/integrations/{integrationId}/role', {
          params: { path: { projectId: this.context.projectId, integrationId: this.integrationId } },
          body: { roleArn: this.roleArn.trim() },
        }),
      );
      sessionStorage.setItem(
        `s3i-validate-clicked:${this.integrationId}`,
        String(Date.now() - (performance.now() - clickedAt)),
      );
      // The validation screen may already be showing (same route, no navigation): tell it too.
      this.dispatchEvent(new CustomEvent('validation-started', { bubbles: true, composed: true }));
      this.context.navigate(routes.validation(this.integrationId));
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const problem = this.touched ? this.problem() : '';
    return html`<form @submit=${this.validate} novalidate>
      <label for="role-arn">Role ARN</label>
      <input
        id="role-arn"
        name="roleArn"
        autocomplete="off"
        spellcheck="false"
        placeholder="arn:aws:iam::123456789012:role/s3-integration"
        .value=${this.roleArn}
        aria-invalid=${problem ? 'true' : 'false'}
        aria-describedby="role-arn-problem"
        @input=${(event: Event) => {
          this.roleArn = (event.target as HTMLInputElement).value;
          this.touched = true;
        }}
      />
      <p id="role-arn-problem" class="field-error" aria-live="polite">${problem}</p>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? 'Starting validation…' : 'Validate'}
        </button>
      </div>
    </form>`;
  }
}

customElements.define('s3i-role-form', RoleForm);
