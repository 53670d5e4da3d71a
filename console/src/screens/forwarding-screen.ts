/**
 * Screen 6: audit-log forwarding, per dedicated cluster: on or off, the integration and directory
 * it delivers to, its health and lag; owners and admins turn it on, change it, or turn it off.
 */
import { LitElement, css, html } from 'lit';
import type { ConsoleContext } from '../app/context';
import { ApiError, describeError, withoutApiHints } from '../api/errors';
import type { Cluster, Forwarding, Integration } from '../api/types';
import { ago, duration } from '../components/format';
import { shared } from '../components/styles';
import { allClusters, allIntegrations, usableFor } from '../setup/project-lists';

export class ForwardingScreen extends LitElement {
  static override properties = {
    context: { attribute: false },
    clusters: { state: true },
    integrations: { state: true },
    forwardings: { state: true },
    editing: { state: true },
    error: { state: true },
    message: { state: true },
    busy: { state: true },
  };
  declare context: ConsoleContext;
  declare clusters: Cluster[] | undefined;
  declare integrations: Integration[];
  declare forwardings: Map<string, Forwarding | null>;
  declare editing: string;
  declare error: string;
  declare message: string;
  declare busy: boolean;

  constructor() {
    super();
    this.integrations = [];
    this.forwardings = new Map();
    this.editing = '';
    this.error = '';
    this.message = '';
    this.busy = false;
  }

  static override styles = [
    shared,
    css`
      .grid {
        display: flex;
        flex-wrap: wrap;
        gap: 0 1rem;
      }
      .grid > div {
        flex: 1 1 14rem;
      }
      h2 {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        flex-wrap: wrap;
      }
    `,
  ];

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      const [clusters, integrations] = await Promise.all([allClusters(this.context), allIntegrations(this.context)]);
      const dedicated = clusters.filter((cluster) => cluster.tier === 'dedicated');
      const entries = await Promise.all(
        dedicated.map(async (cluster) => [cluster.clusterId, await this.forwardingOf(cluster.clusterId)] as const),
      );
      Object.assign(this, { clusters: dedicated, integrations, forwardings: new Map(entries), error: '' });
    } catch (error) {
      this.error = describeError(error);
      this.clusters ??= [];
    }
  }

  private path(clusterId: string) {
    return { params: { path: { projectId: this.context.projectId, clusterId } } };
  }

  private async forwardingOf(clusterId: string): Promise<Forwarding | null> {
    return this.context.api
      .call(
        this.context.api.raw.GET(
          '/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding',
          this.path(clusterId),
        ),
      )
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 'FORWARDING_NOT_FOUND') return null;
        throw error;
      });
  }

  private async act(action: () => Promise<string>) {
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      this.message = await action();
      this.editing = '';
      await this.load();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
    }
  }

  private save(event: Event, clusterId: string) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    void this.act(async () => {
      await this.context.api.call(
        this.context.api.raw.PUT('/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding', {
          ...this.path(clusterId),
          body: { integrationId: field('integrationId'), directory: field('directory') },
        }),
      );
      return `Audit logs of ${clusterId} are forwarded now; new files arrive within seconds.`;
    });
  }

  private turnOff(clusterId: string) {
    if (!confirm(`Turn audit-log forwarding of ${clusterId} off? Files already delivered stay in the bucket.`)) return;
    void this.act(async () => {
      await this.context.api.call(
        this.context.api.raw.DELETE(
          '/v1/projects/{projectId}/clusters/{clusterId}/audit-log-forwarding',
          this.path(clusterId),
        ),
      );
      return `Audit-log forwarding of ${clusterId} is off.`;
    });
  }

  override render() {
    return html`
      <h1 tabindex="-1">Audit-log forwarding</h1>
      <p class="hint">
        While forwarding is on, every audit-log file of the cluster is delivered to the integration's bucket within
        seconds of landing, under &lt;directory&gt;/&lt;cluster&gt;/audit/.
      </p>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.message ? html`<div class="success" role="status">${this.message}</div>` : ''}
      ${
        this.clusters === undefined
          ? html`<s3i-loading text="Loading clusters…"></s3i-loading>`
          : this.clusters.length === 0
            ? html`<div class="notice">Audit-log forwarding needs a dedicated cluster; this project has none.</div>`
            : this.clusters.map((cluster) => this.renderCluster(cluster))
      }
    `;
  }

  private renderCluster(cluster: Cluster) {
    const forwarding = this.forwardings.get(cluster.clusterId);
    const integration = this.integrations.find((candidate) => candidate.integrationId === forwarding?.integrationId);
    const usable = usableFor(this.integrations, cluster);
    const editing = this.editing === cluster.clusterId;
    return html`<section class="card" aria-labelledby=${`cluster-${cluster.clusterId}`}>
      <h2 id=${`cluster-${cluster.clusterId}`}>
        ${cluster.clusterId} <s3i-status-badge status=${forwarding ? 'ON' : 'OFF'}></s3i-status-badge>
      </h2>
      <p class="hint">Region ${cluster.region}</p>
      ${
        forwarding
          ? html`<dl>
              <dt>Integration</dt>
              <dd>${integration?.name ?? forwarding.integrationId}</dd>
              <dt>Delivered to</dt>
              <dd><code>s3://${forwarding.destination.bucket}/${forwarding.destination.prefix}</code></dd>
              <dt>Last delivery</dt>
              <dd>${ago(forwarding.health.lastDeliveryAt)}</dd>
              <dt>Lag</dt>
              <dd>${duration(forwarding.health.lagSeconds)}</dd>
              <dt>Failed runs in a row</dt>
              <dd>${forwarding.health.consecutiveFailures}</dd>
              ${
                forwarding.health.lastError
                  ? html`<dt>Last error</dt>
                      <dd>${withoutApiHints(forwarding.health.lastError.message)}</dd>`
                  : ''
              }
            </dl>`
          : html`<p>Off: audit logs of this cluster stay with the platform.</p>`
      }
      ${
        this.context.canWrite
          ? editing
            ? html`<form @submit=${(event: Event) => this.save(event, cluster.clusterId)}>
                ${
                  usable.length === 0
                    ? html`<div class="notice">No integration in ${cluster.region} is active yet.</div>`
                    : ''
                }
                <div class="grid">
                  <div>
                    <label for=${`integration-${cluster.clusterId}`}>Integration</label
                    ><select id=${`integration-${cluster.clusterId}`} name="integrationId">
                      ${usable.map(
                        (candidate) =>
                          html`<option
                            value=${candidate.integrationId}
                            ?selected=${candidate.integrationId === forwarding?.integrationId}
                          >
                            ${candidate.name} (${candidate.bucketName})
                          </option>`,
                      )}
                    </select>
                  </div>
                  <div>
                    <label for=${`directory-${cluster.clusterId}`}>Directory in the bucket</label
                    ><input
                      id=${`directory-${cluster.clusterId}`}
                      name="directory"
                      .value=${forwarding?.directory ?? 'audit-logs'}
                    />
                  </div>
                </div>
                <div class="actions">
                  <button class="primary" type="submit" ?disabled=${this.busy || usable.length === 0}>
                    ${forwarding ? 'Save' : 'Turn forwarding on'}</button
                  ><button type="button" @click=${() => (this.editing = '')}>Cancel</button>
                </div>
              </form>`
            : html`<div class="actions">
                <button
                  type="button"
                  class=${forwarding ? '' : 'primary'}
                  @click=${() => (this.editing = cluster.clusterId)}
                >
                  ${forwarding ? 'Change' : 'Turn on'}
                </button>
                ${
                  forwarding
                    ? html`<button
                        type="button"
                        class="danger"
                        @click=${() => this.turnOff(cluster.clusterId)}
                        ?disabled=${this.busy}
                      >
                        Turn off
                      </button>`
                    : ''
                }
              </div>`
          : ''
      }
    </section>`;
  }
}

customElements.define('s3i-forwarding-screen', ForwardingScreen);
