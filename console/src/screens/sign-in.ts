/**
 * The local stack's sign-in page (never shown in a deployment, where the host page hands the
 * console a token): pick a project the service knows (or create the demo project), a role, and
 * get a token from the local stack's POST /local/token.
 */
import { LitElement, css, html } from 'lit';
import { shared } from '../components/styles';

interface KnownProject {
  projectId: string;
  orgId: string;
  plan: string;
}

type Role = 'owner' | 'admin' | 'member';

export class SignIn extends LitElement {
  static override properties = {
    apiUrl: {},
    projects: { state: true },
    demo: { state: true },
    projectId: { state: true },
    role: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  declare apiUrl: string;
  declare projects: KnownProject[] | undefined;
  declare demo: { projectId: string; orgId: string } | undefined;
  declare projectId: string;
  declare role: Role;
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.apiUrl = '';
    this.projectId = '';
    this.role = 'owner';
    this.busy = false;
    this.error = '';
  }

  static override styles = [
    shared,
    css`
      .card {
        max-width: 36rem;
      }
      fieldset {
        border: 0;
        padding: 0;
        margin: 0.75rem 0 0;
      }
      legend {
        font-weight: 600;
      }
      .choice {
        display: flex;
        flex-wrap: wrap;
        gap: 0 0.5rem;
        align-items: center;
        font-weight: 400;
        margin: 0.25rem 0;
      }
      .choice input {
        width: auto;
      }
    `,
  ];

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      const answer = (await (await fetch(`${this.apiUrl}/local/sign-in`)).json()) as {
        projects: KnownProject[];
        demo: { projectId: string; orgId: string };
      };
      this.projects = answer.projects;
      this.demo = answer.demo;
      this.projectId ||=
        answer.projects.find((project) => project.plan === 'enterprise')?.projectId ??
        answer.projects[0]?.projectId ??
        '';
    } catch {
      this.error = 'The local stack did not answer. Is `npm start` still running?';
    }
  }

  private async createDemo() {
    this.busy = true;
    this.error = '';
    try {
      const response = await fetch(`${this.apiUrl}/local/demo-project`, { method: 'POST' });
      if (!response.ok) throw new Error();
      const { projectId } = (await response.json()) as { projectId: string };
      // Platform events are delivered in the background: wait until the service knows the project.
      for (
        let attempt = 0;
        attempt < 50 && !this.projects?.some((project) => project.projectId === projectId);
        attempt += 1
      ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await this.load();
      }
      this.projectId = projectId;
    } catch {
      this.error = 'The demo project could not be created. Check the output of `npm start`.';
    } finally {
      this.busy = false;
    }
  }

  private async signIn(event: Event) {
    event.preventDefault();
    const project = this.projects?.find((candidate) => candidate.projectId === this.projectId);
    if (!project) {
      this.error = 'Choose a project first.';
      return;
    }
    this.busy = true;
    this.error = '';
    const claims = {
      org: project.orgId,
      orgRole: this.role === 'owner' ? 'owner' : 'member',
      projects: this.role === 'owner' ? {} : { [project.projectId]: this.role },
    };
    try {
      const response = await fetch(`${this.apiUrl}/local/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(claims),
      });
      if (!response.ok) throw new Error();
      const { token } = (await response.json()) as { token: string };
      this.dispatchEvent(new CustomEvent('signed-in', { detail: { token, projectId: project.projectId } }));
    } catch {
      this.error = 'The local stack did not give a token. Check the output of `npm start`.';
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const roles: Array<[Role, string, string]> = [
      ['owner', 'Organization owner', 'can do everything in the organization’s projects'],
      ['admin', 'Project admin', 'can create, validate and delete integrations, export, forward logs'],
      ['member', 'Project member', 'can see everything, change nothing'],
    ];
    return html`
      <h1 tabindex="-1">Sign in to the local stack</h1>
      <p class="hint">
        On a platform, its own sign-in gives the console a token. Here the local stack makes one for the organization,
        project and role you choose.
      </p>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      <form class="card" @submit=${this.signIn}>
        ${
          this.projects === undefined
            ? html`<s3i-loading text="Asking the local stack for its projects…"></s3i-loading>`
            : html`
                <label for="project">Project</label>
                ${
                  this.projects.length === 0
                    ? html`<p class="hint" id="project">
                        The service knows no project yet: the platform announces projects with events. Create a demo
                        project to start.
                      </p>`
                    : html`<select
                        id="project"
                        .value=${this.projectId}
                        @change=${(event: Event) => (this.projectId = (event.target as HTMLSelectElement).value)}
                      >
                        ${this.projects.map(
                          (project) =>
                            html`<option value=${project.projectId} ?selected=${project.projectId === this.projectId}>
                              ${project.projectId} (organization ${project.orgId}, ${project.plan} plan)
                            </option>`,
                        )}
                      </select>`
                }
                <div class="actions">
                  <button type="button" @click=${this.createDemo} ?disabled=${this.busy}>
                    Create the demo project
                  </button>
                  <span class="hint">an Enterprise project with a dedicated cluster and a finished backup</span>
                </div>
                <fieldset>
                  <legend>Role</legend>
                  ${roles.map(
                    ([value, label, what]) =>
                      html`<label class="choice"
                        ><input
                          type="radio"
                          name="role"
                          value=${value}
                          .checked=${this.role === value}
                          @change=${() => (this.role = value)}
                        />${label} <span class="hint">(${what})</span></label
                      >`,
                  )}
                </fieldset>
                <div class="actions">
                  <button class="primary" type="submit" ?disabled=${this.busy || !this.projectId}>Sign in</button>
                </div>
              `
        }
      </form>
    `;
  }
}

customElements.define('s3i-sign-in', SignIn);
