/**
 * <s3i-console>: the whole console as one element a host page places anywhere.
 *
 *   <s3i-console api-url="https://api.example.com" project-id="proj-1"></s3i-console>
 *   element.token = await myIdentityProvider.getToken();          // and again whenever it renews
 *   element.addEventListener('s3i-token-expired', renewAndSetToken);
 *
 * Without a token, on the local stack (whose API answers GET /local/sign-in), it shows the local
 * sign-in page; anywhere else it waits for the host to set one.
 */
import { LitElement, css, html, type TemplateResult } from 'lit';
import { createApiClient, type ApiClient } from '../api/client';
import { claimsOf, mayWrite, onlyProjectOf, type ConsoleContext, type LocalStackInfo } from './context';
import { parseRoute, routes, type Route } from './routes';
import { shared } from '../components/styles';
import '../components/small-parts';
import '../screens/sign-in';
import '../screens/integrations-list';
import '../screens/new-integration';
import '../screens/validation-view';
import '../screens/integration-details';
import '../screens/exports-screen';
import '../screens/forwarding-screen';

const LOCAL_SESSION = 's3i-local-session';

export class ConsoleApp extends LitElement {
  static override properties = {
    apiUrl: { attribute: 'api-url' },
    token: {},
    projectId: { attribute: 'project-id' },
    route: { state: true },
    local: { state: true },
    localChecked: { state: true },
  };
  declare apiUrl: string;
  declare token: string | undefined;
  declare projectId: string | undefined;
  declare route: Route;
  declare local: LocalStackInfo | undefined;
  declare localChecked: boolean;
  private api: ApiClient;
  private readonly onHashChange = () => this.showRoute();

  constructor() {
    super();
    this.apiUrl = '';
    this.route = parseRoute(location.hash);
    this.localChecked = false;
    this.api = this.makeClient();
  }

  static override styles = [
    shared,
    css`
      header {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1.5rem;
        align-items: center;
        justify-content: space-between;
        padding: 0.75rem 1.25rem;
        border-bottom: 1px solid var(--line);
        background: var(--subtle);
      }
      .brand {
        font-weight: 700;
        font-size: 1.1rem;
      }
      .who {
        color: var(--muted);
        font-size: 0.95rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        align-items: center;
      }
      nav ul {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1.25rem;
        list-style: none;
        margin: 0;
        padding: 0.5rem 1.25rem;
        border-bottom: 1px solid var(--line);
      }
      nav a {
        text-decoration: none;
        padding: 0.25rem 0;
        display: inline-block;
      }
      nav a[aria-current='page'] {
        font-weight: 700;
        border-bottom: 3px solid var(--accent);
      }
      main {
        padding: 1.25rem;
        max-width: 72rem;
      }
    `,
  ];

  private makeClient(): ApiClient {
    return createApiClient({
      baseUrl: this.apiUrl ?? '',
      token: () => this.token,
      onUnauthorized: () => this.dispatchEvent(new CustomEvent('s3i-token-expired', { bubbles: true, composed: true })),
    });
  }

  override connectedCallback() {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    if (!this.token) this.restoreLocalSession();
  }

  override disconnectedCallback() {
    window.removeEventListener('hashchange', this.onHashChange);
    super.disconnectedCallback();
  }

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('apiUrl')) {
      this.api = this.makeClient();
      void this.detectLocalStack();
    }
  }

  private showRoute() {
    this.route = parseRoute(location.hash);
    // Keyboard and screen-reader users land on the new screen's heading, not at the top of the page.
    void this.updateComplete.then(() => {
      const screen = this.renderRoot.querySelector('main > *') as HTMLElement | null;
      void (screen as LitElement | null)?.updateComplete?.then(() =>
        (screen?.shadowRoot?.querySelector('h1') as HTMLElement | null)?.focus(),
      );
    });
  }

  /** The local stack's sign-in: GET /local/sign-in answers only there. */
  private async detectLocalStack() {
    try {
      const response = await fetch(`${this.apiUrl}/local/sign-in`);
      const isJson = response.headers.get('content-type')?.startsWith('application/json');
      this.local = response.ok && isJson ? ((await response.json()) as { aws: LocalStackInfo }).aws : undefined;
    } catch {
      // Not the local stack: the host provides the token.
    }
    this.localChecked = true;
  }

  private restoreLocalSession() {
    const saved = sessionStorage.getItem(LOCAL_SESSION);
    if (!saved) return;
    const session = JSON.parse(saved) as { token: string; projectId: string };
    if ((claimsOf(session.token).exp ?? 0) * 1000 > Date.now()) {
      this.token = session.token;
      this.projectId = session.projectId;
    }
  }

  private signedIn(event: CustomEvent<{ token: string; projectId: string }>) {
    this.token = event.detail.token;
    this.projectId = event.detail.projectId;
    sessionStorage.setItem(LOCAL_SESSION, JSON.stringify(event.detail));
    location.hash = routes.integrations;
  }

  private signOut() {
    sessionStorage.removeItem(LOCAL_SESSION);
    this.token = undefined;
    location.hash = routes.signIn;
  }

  override render() {
    const claims = claimsOf(this.token);
    const projectId = this.projectId ?? onlyProjectOf(claims);
    if (!this.token || !projectId || this.route.screen === 'sign-in') {
      if (this.local)
        return html`<main><s3i-sign-in .apiUrl=${this.apiUrl} @signed-in=${this.signedIn}></s3i-sign-in></main>`;
      return html`<main>
        <s3i-loading text=${this.localChecked ? 'Waiting for the page to sign you in…' : 'Loading…'}></s3i-loading>
      </main>`;
    }
    const context: ConsoleContext = {
      api: this.api,
      projectId,
      canWrite: mayWrite(claims, projectId),
      navigate: (route) => (location.hash = route),
      ...(this.local ? { local: this.local } : {}),
    };
    const role =
      claims.orgRole === 'owner'
        ? 'Organization owner'
        : claims.projects?.[projectId] === 'admin'
          ? 'Project admin'
          : 'Project member (read-only)';
    const link = (href: string, text: string, screens: Route['screen'][]) =>
      html`<li><a href=${href} aria-current=${screens.includes(this.route.screen) ? 'page' : 'false'}>${text}</a></li>`;
    return html`
      <header>
        <span class="brand">S3 integrations</span>
        <span class="who"
          ><span>Project <strong>${projectId}</strong></span
          ><span>${role}</span>
          ${this.local ? html`<button type="button" @click=${this.signOut}>Sign out</button>` : ''}</span
        >
      </header>
      <nav aria-label="Console sections">
        <ul>
          ${link(routes.integrations, 'Integrations', ['integrations', 'new-integration', 'integration', 'validation'])}
          ${link(routes.exports, 'Backup exports', ['exports'])}
          ${link(routes.forwarding, 'Audit-log forwarding', ['forwarding'])}
        </ul>
      </nav>
      <main>${this.screen(context)}</main>
    `;
  }

  private screen(context: ConsoleContext): TemplateResult {
    const route = this.route;
    switch (route.screen) {
      case 'new-integration':
        return html`<s3i-new-integration .context=${context} .initialRegion=${route.region}></s3i-new-integration>`;
      case 'validation':
        return html`<s3i-validation-view
          .context=${context}
          .integrationId=${route.integrationId}
        ></s3i-validation-view>`;
      case 'integration':
        return html`<s3i-integration-details
          .context=${context}
          .integrationId=${route.integrationId}
        ></s3i-integration-details>`;
      case 'exports':
        return html`<s3i-exports-screen .context=${context}></s3i-exports-screen>`;
      case 'forwarding':
        return html`<s3i-forwarding-screen .context=${context}></s3i-forwarding-screen>`;
      default:
        return html`<s3i-integrations-list .context=${context}></s3i-integrations-list>`;
    }
  }
}

customElements.define('s3i-console', ConsoleApp);
