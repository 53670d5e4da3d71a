/**
 * Screen 2: the new-integration wizard, in the reference guide's order: basic settings; region
 * and bucket (regions from GET /v1/regions, the bucket name checked by the API's own rule as you
 * type); the IAM policy; the role, by one-click CloudFormation or by hand; the role ARN and
 * Validate. The integration is created when the bucket step is done, because the policy and the
 * trust policy name its bucket and external ID.
 */
import { LitElement, css, html } from 'lit';
import { bucketNameProblem, KMS_KEY_ARN, printable } from '../../../shared/integrations/naming-rules';
import type { ConsoleContext } from '../app/context';
import { routes } from '../app/routes';
import { ApiError, describeError } from '../api/errors';
import type { CreatedIntegration } from '../api/types';
import { shared } from '../components/styles';
import { awsConsole, localCommands } from '../setup/aws-steps';
import '../setup/role-form';

const STEPS = ['Basic settings', 'Region and bucket', 'IAM policy', 'IAM role', 'Role ARN and validation'];

export class NewIntegration extends LitElement {
  static override properties = {
    context: { attribute: false },
    initialRegion: {},
    step: { state: true },
    name: { state: true },
    description: { state: true },
    regions: { state: true },
    region: { state: true },
    bucketName: { state: true },
    kmsKeyArn: { state: true },
    touched: { state: true },
    created: { state: true },
    roleWay: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  declare context: ConsoleContext;
  declare initialRegion: string | undefined;
  declare step: number;
  declare name: string;
  declare description: string;
  declare regions: string[] | undefined;
  declare region: string;
  declare bucketName: string;
  declare kmsKeyArn: string;
  declare touched: Set<string>;
  declare created: CreatedIntegration | undefined;
  declare roleWay: 'cloudformation' | 'manual';
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.step = 0;
    this.name = '';
    this.description = '';
    this.region = '';
    this.bucketName = '';
    this.kmsKeyArn = '';
    this.touched = new Set();
    this.roleWay = 'cloudformation';
    this.busy = false;
    this.error = '';
  }

  static override styles = [
    shared,
    css`
      ol.steps {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        list-style: none;
        padding: 0;
        margin: 0 0 1rem;
        counter-reset: step;
      }
      ol.steps li {
        counter-increment: step;
        color: var(--muted);
      }
      ol.steps li::before {
        content: counter(step) '. ';
      }
      ol.steps li[aria-current='step'] {
        color: var(--text);
        font-weight: 700;
      }
      .ways {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
      }
      .ways > label {
        flex: 1 1 16rem;
        font-weight: 400;
        border: 1px solid var(--line);
        border-radius: 0.5rem;
        padding: 0.75rem;
        display: flex;
        gap: 0.5rem;
        align-items: start;
      }
      .ways input {
        width: auto;
        margin-top: 0.3rem;
      }
      ol.howto li {
        margin: 0.25rem 0;
      }
    `,
  ];

  override connectedCallback() {
    super.connectedCallback();
    void this.loadRegions();
  }

  private async loadRegions() {
    try {
      const { items } = await this.context.api.call(this.context.api.raw.GET('/v1/regions'));
      this.regions = items.map((item) => item.region);
      this.region ||=
        this.initialRegion && this.regions.includes(this.initialRegion) ? this.initialRegion : (this.regions[0] ?? '');
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** What is wrong with each field, with the API's own rules (shared/integrations/naming-rules.ts). */
  private problems(): Record<string, string> {
    const problems: Record<string, string> = {};
    if (this.name.length === 0) problems.name = 'Give the integration a name.';
    else if (this.name.length > 64) problems.name = 'Use at most 64 characters.';
    else if (!printable(this.name) || this.name.trim() !== this.name)
      problems.name = 'Use printable characters, without spaces at the start or end.';
    if (this.description.length > 512) problems.description = 'Use at most 512 characters.';
    else if (!printable(this.description, true)) problems.description = 'Use printable characters only.';
    const bucket = bucketNameProblem(this.bucketName);
    if (bucket) problems.bucketName = `The bucket name ${bucket}.`;
    if (!this.region) problems.region = 'Choose the region of your clusters.';
    if (this.kmsKeyArn) {
      const key = KMS_KEY_ARN.exec(this.kmsKeyArn);
      if (!key)
        problems.kmsKeyArn =
          'This is not a KMS key ARN. It looks like arn:aws:kms:us-east-1:123456789012:key/… ' +
          '(an alias does not work).';
      else if (key[1] !== this.region)
        problems.kmsKeyArn = `The key must be in ${this.region}, the region of the bucket.`;
    }
    return problems;
  }

  private field(
    id: string,
    label: string,
    value: string,
    onInput: (value: string) => void,
    hint: string,
    options: { optional?: boolean; multiline?: boolean } = {},
  ) {
    const problem = this.touched.has(id) ? this.problems()[id] : undefined;
    const input = (event: Event) => {
      onInput((event.target as HTMLInputElement).value);
      this.touched = new Set([...this.touched, id]);
    };
    return html`<label for=${id}>${label}${options.optional ? html` <span class="hint">(optional)</span>` : ''}</label>
      <p class="hint" id=${`${id}-hint`}>${hint}</p>
      ${
        options.multiline
          ? html`<textarea
              id=${id}
              rows="2"
              .value=${value}
              @input=${input}
              aria-describedby=${`${id}-hint ${id}-problem`}
              aria-invalid=${problem ? 'true' : 'false'}
            ></textarea>`
          : html`<input
              id=${id}
              .value=${value}
              @input=${input}
              autocomplete="off"
              spellcheck="false"
              aria-describedby=${`${id}-hint ${id}-problem`}
              aria-invalid=${problem ? 'true' : 'false'}
            />`
      }
      <p class="field-error" id=${`${id}-problem`} aria-live="polite">${problem ?? ''}</p>`;
  }

  /** Moves on when the step's fields are valid; otherwise shows their problems and focuses the first. */
  private next(fields: string[]) {
    this.touched = new Set([...this.touched, ...fields]);
    const invalid = fields.find((field) => this.problems()[field]);
    if (invalid) {
      void this.updateComplete.then(() =>
        (this.renderRoot.querySelector(`#${invalid}`) as HTMLElement | null)?.focus(),
      );
      return false;
    }
    return true;
  }

  private go(step: number) {
    this.step = step;
    this.error = '';
    void this.updateComplete.then(() => (this.renderRoot.querySelector('h2') as HTMLElement | null)?.focus());
  }

  private async create() {
    if (!this.next(['region', 'bucketName', 'kmsKeyArn'])) return;
    this.busy = true;
    this.error = '';
    try {
      this.created = await this.context.api.call(
        this.context.api.raw.POST('/v1/projects/{projectId}/integrations', {
          params: { path: { projectId: this.context.projectId } },
          body: {
            name: this.name,
            region: this.region,
            bucketName: this.bucketName,
            ...(this.description ? { description: this.description } : {}),
            ...(this.kmsKeyArn ? { kmsKeyArn: this.kmsKeyArn } : {}),
          },
        }),
      );
      this.go(2);
    } catch (error) {
      // A taken name is fixed on the first step: go back there, with the reason.
      if (error instanceof ApiError && error.code === 'NAME_TAKEN') this.go(0);
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    if (!this.context.canWrite) {
      return html`<h1 tabindex="-1">New integration</h1>
        <div class="notice">Only the organization owner or a project admin can create integrations.</div>`;
    }
    return html`
      <h1 tabindex="-1">New integration</h1>
      <ol class="steps" aria-label="Steps">
        ${STEPS.map((label, index) => html`<li aria-current=${index === this.step ? 'step' : 'false'}>${label}</li>`)}
      </ol>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      <section class="card" aria-labelledby="step-title">${this.renderStep()}</section>
    `;
  }

  private renderStep() {
    const heading = html`<h2 id="step-title" tabindex="-1">
      Step ${this.step + 1} of ${STEPS.length}: ${STEPS[this.step]}
    </h2>`;
    const local = this.context.local;
    switch (this.step) {
      case 0:
        return html`${heading}
          ${this.field(
            'name',
            'Integration name',
            this.name,
            (value) => (this.name = value),
            'Unique in this project, for example “nightly-backups”.',
          )}
          ${this.field(
            'description',
            'Description',
            this.description,
            (value) => (this.description = value),
            'What this integration is for.',
            { optional: true, multiline: true },
          )}
          <div class="actions">
            <button class="primary" type="button" @click=${() => this.next(['name', 'description']) && this.go(1)}>
              Next
            </button>
            <a class="button" href=${routes.integrations}>Cancel</a>
          </div>`;
      case 1:
        return html`${heading}
          <label for="region">Cluster region</label>
          <p class="hint" id="region-hint">
            The region where your clusters run. The bucket must be in the same region; for clusters in several regions,
            create one integration per region.
          </p>
          ${
            this.regions === undefined
              ? html`<s3i-loading text="Loading regions…"></s3i-loading>`
              : html`<select
                  id="region"
                  aria-describedby="region-hint"
                  @change=${(event: Event) => (this.region = (event.target as HTMLSelectElement).value)}
                >
                  ${this.regions.map(
                    (region) => html`<option value=${region} ?selected=${region === this.region}>${region}</option>`,
                  )}
                </select>`
          }
          <h3>Create the bucket in AWS</h3>
          <p>
            In the AWS console,
            <a href=${awsConsole.createBucket(this.region || 'us-east-1')} target="_blank" rel="noopener"
              >create a general purpose bucket in ${this.region}</a
            >
            (other settings can stay as they are), then enter its name here.
          </p>
          ${
            local
              ? this.localBlock(
                  'Or, on the local stack',
                  [
                    localCommands(local, { region: this.region, bucketName: this.bucketName || '<bucket-name>' }),
                  ].flatMap((c) => [c.environment, c.bucket]),
                )
              : ''
          }
          ${this.field(
            'bucketName',
            'Bucket name',
            this.bucketName,
            (value) => (this.bucketName = value),
            '3 to 63 lower-case letters, digits, dots and hyphens.',
          )}
          ${this.field(
            'kmsKeyArn',
            'KMS key ARN',
            this.kmsKeyArn,
            (value) => (this.kmsKeyArn = value),
            'Only if the bucket encrypts with your own AWS KMS key (SSE-KMS): the policy then allows using that key.',
            { optional: true },
          )}
          <div class="actions">
            <button type="button" @click=${() => this.go(0)}>Back</button>
            <button class="primary" type="button" @click=${this.create} ?disabled=${this.busy}>
              ${this.busy ? 'Creating…' : 'Next'}
            </button>
          </div>`;
      case 2:
        return html`${heading}${this.renderPolicy()}`;
      case 3:
        return html`${heading}${this.renderRole()}`;
      default:
        return html`${heading}
          <p>
            Paste the ARN of the role (IAM > Roles > your role, or the RoleArn output of the CloudFormation stack), then
            validate: the platform checks, step by step, that it can use your bucket.
          </p>
          <s3i-role-form .context=${this.context} integrationId=${this.created?.integrationId ?? ''}></s3i-role-form>
          <div class="actions"><button type="button" @click=${() => this.go(3)}>Back</button></div>`;
    }
  }

  private renderPolicy() {
    const created = this.created;
    if (!created) return '';
    const local = this.context.local;
    return html`
      <p>
        Create an IAM policy that gives access to
        <strong>${created.bucketName}</strong> only${created.kmsKeyArn ? ', and to its KMS key' : ''}:
      </p>
      <ol class="howto">
        <li>Copy the policy below.</li>
        <li>
          In the AWS console, <a href=${awsConsole.createPolicy()} target="_blank" rel="noopener">create a policy</a>,
          choose JSON, and paste it.
        </li>
        <li>
          Name it, for example
          <code>s3-integration-${created.name.toLowerCase().replace(/[^a-z0-9+=,.@_-]+/g, '-')}</code>, and create it.
        </li>
      </ol>
      <s3i-json-block
        label=${created.kmsKeyArn ? 'IAM policy (with the KMS key)' : 'IAM policy'}
        .value=${created.setup.iamPolicy}
      ></s3i-json-block>
      ${
        local
          ? this.localBlock('Or, on the local stack', [
              localCommands(local, { ...created, documents: created.setup }).policy,
            ])
          : ''
      }
      <div class="actions"><button class="primary" type="button" @click=${() => this.go(3)}>Next</button></div>
    `;
  }

  private renderRole() {
    const created = this.created;
    if (!created) return '';
    const local = this.context.local;
    const launch = created.setup.launchStackUrl;
    return html`
      <p>
        Create the role the platform assumes. Only the platform's AWS account can assume it, and only with this
        integration's external ID <code>${created.externalId}</code>.
      </p>
      <fieldset class="ways">
        <legend class="visually-hidden">How to create the role</legend>
        <label
          ><input
            type="radio"
            name="way"
            .checked=${this.roleWay === 'cloudformation'}
            @change=${() => (this.roleWay = 'cloudformation')}
          /><span
            ><strong>One click with CloudFormation</strong><br /><span class="hint"
              >Creates the policy and the role together; you can skip the policy step.</span
            ></span
          ></label
        >
        <label
          ><input
            type="radio"
            name="way"
            .checked=${this.roleWay === 'manual'}
            @change=${() => (this.roleWay = 'manual')}
          /><span
            ><strong>By hand in the IAM console</strong><br /><span class="hint"
              >Paste the trust policy, attach the policy you created.</span
            ></span
          ></label
        >
      </fieldset>
      ${
        this.roleWay === 'cloudformation'
          ? html`${
                launch
                  ? html`<p>
                        <a class="button primary" href=${launch} target="_blank" rel="noopener"
                          >Launch Stack in ${created.region}</a
                        >
                      </p>
                      <ol class="howto">
                        <li>
                          Sign in to the AWS account that owns the bucket; the stack opens with every value filled in.
                        </li>
                        <li>
                          Tick “I acknowledge that AWS CloudFormation might create IAM resources with custom names”,
                          then Create stack.
                        </li>
                        <li>When it is complete, copy <strong>RoleArn</strong> from the Outputs tab.</li>
                      </ol>`
                  : html`<div class="notice">
                      This platform does not publish the one-click template. Download the template below and create a
                      stack with it in the CloudFormation console.
                    </div>`
              }
              <details>
                <summary>The template it uses</summary>
                <s3i-json-block
                  label="CloudFormation template"
                  .value=${created.setup.cloudFormationTemplate}
                ></s3i-json-block>
              </details>`
          : html`<ol class="howto">
                <li>
                  In the AWS console,
                  <a href=${awsConsole.createRole()} target="_blank" rel="noopener">create a role</a> with the
                  <strong>Custom trust policy</strong> type.
                </li>
                <li>Paste the trust policy below, then Next.</li>
                <li>Select the policy you created in the previous step, then Next.</li>
                <li>
                  Name the role, for example <code>s3-integration-${created.integrationId}</code>, create it, and copy
                  its ARN.
                </li>
              </ol>
              <s3i-json-block label="Trust policy" .value=${created.setup.trustPolicy}></s3i-json-block>`
      }
      ${
        local
          ? this.localBlock(
              'Or, on the local stack (in the same shell, after the policy command of the previous step)',
              [
                localCommands(local, { ...created, documents: created.setup }).role,
                `# role ARN: ${localCommands(local, { ...created, documents: created.setup }).roleArn}`,
              ],
            )
          : ''
      }
      <div class="actions">
        <button type="button" @click=${() => this.go(2)}>Back</button
        ><button class="primary" type="button" @click=${() => this.go(4)}>Next</button>
      </div>
    `;
  }

  private localBlock(title: string, commands: string[]) {
    const text = commands.filter(Boolean).join('\n');
    return html`<details class="notice">
      <summary>${title}</summary>
      <p class="hint">
        The local stack has no AWS console: these AWS CLI commands do the same against its endpoint, as account
        ${this.context.local?.customerAccountId}.
      </p>
      <s3i-copy-button .value=${text} label="Copy the commands"></s3i-copy-button>
      <pre tabindex="0" aria-label="AWS CLI commands">${text}</pre>
    </details>`;
  }
}

customElements.define('s3i-new-integration', NewIntegration);
