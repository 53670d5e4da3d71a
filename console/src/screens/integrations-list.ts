/**
 * Screen 1: the integrations of the project, with their bucket, region, status and health, a
 * filter over what is loaded and "Show more" pagination over the API's pages.
 */
import { LitElement, css, html } from 'lit';
import type { ConsoleContext } from '../app/context';
import { routes } from '../app/routes';
import { describeError } from '../api/errors';
import type { Integration } from '../api/types';
import { ago, duration } from '../components/format';
import { shared } from '../components/styles';

const PAGE_SIZE = 25;

export class IntegrationsList extends LitElement {
  static override properties = {
    context: { attribute: false },
    items: { state: true },
    nextToken: { state: true },
    error: { state: true },
    filter: { state: true },
    status: { state: true },
    loadingMore: { state: true },
  };
  declare context: ConsoleContext;
  declare items: Integration[] | undefined;
  declare nextToken: string | undefined;
  declare error: string;
  declare filter: string;
  declare status: string;
  declare loadingMore: boolean;

  constructor() {
    super();
    this.error = '';
    this.filter = '';
    this.status = '';
    this.loadingMore = false;
  }

  static override styles = [
    shared,
    css`
      .filters {
        display: flex;
        flex-wrap: wrap;
        gap: 0 1rem;
        align-items: end;
      }
      .filters > div {
        flex: 1 1 14rem;
      }
      .id {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        align-items: center;
      }
      .id code {
        overflow-wrap: anywhere;
      }
    `,
  ];

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load(more = false) {
    this.error = '';
    this.loadingMore = more;
    try {
      const page = await this.context.api.call(
        this.context.api.raw.GET('/v1/projects/{projectId}/integrations', {
          params: {
            path: { projectId: this.context.projectId },
            query: { limit: PAGE_SIZE, ...(more && this.nextToken ? { nextToken: this.nextToken } : {}) },
          },
        }),
      );
      this.items = more ? [...(this.items ?? []), ...page.items] : page.items;
      this.nextToken = page.nextToken;
    } catch (error) {
      this.error = describeError(error);
      this.items ??= [];
    } finally {
      this.loadingMore = false;
    }
  }

  private visible(): Integration[] {
    const needle = this.filter.trim().toLowerCase();
    return (this.items ?? []).filter(
      (item) =>
        (!this.status || item.status === this.status) &&
        (!needle || `${item.name} ${item.bucketName} ${item.integrationId}`.toLowerCase().includes(needle)),
    );
  }

  override render() {
    const { canWrite } = this.context;
    return html`
      <h1 tabindex="-1">Integrations</h1>
      <p class="hint">
        Each integration connects one S3 bucket in your AWS account, in one region, through a role the platform assumes.
      </p>
      ${
        canWrite
          ? html`<div class="actions">
              <a class="button primary" href=${routes.newIntegration()}>New integration</a>
            </div>`
          : ''
      }
      ${
        this.error
          ? html`<div class="error" role="alert">
              ${this.error} <button type="button" @click=${() => this.load()}>Try again</button>
            </div>`
          : ''
      }
      ${
        this.items === undefined
          ? html`<s3i-loading text="Loading integrations…"></s3i-loading>`
          : this.renderList(canWrite)
      }
    `;
  }

  private renderList(canWrite: boolean) {
    if (this.items?.length === 0 && !this.error) {
      return html`<div class="notice">
        <p><strong>No integration yet.</strong></p>
        <p>
          ${
            canWrite
              ? 'Create one to export backups or forward audit logs to your own bucket.'
              : 'An organization owner or a project admin can create one.'
          }
        </p>
      </div>`;
    }
    const rows = this.visible();
    return html`
      <div class="filters">
        <div>
          <label for="filter">Filter by name, bucket or ID</label
          ><input
            id="filter"
            type="search"
            .value=${this.filter}
            @input=${(event: Event) => (this.filter = (event.target as HTMLInputElement).value)}
          />
        </div>
        <div>
          <label for="status">Status</label>
          <select id="status" @change=${(event: Event) => (this.status = (event.target as HTMLSelectElement).value)}>
            <option value="">Any status</option>
            ${['ACTIVE', 'VALIDATING', 'AWAITING_ROLE', 'FAILED'].map(
              (status) => html`<option value=${status}>${status.replace('_', ' ').toLowerCase()}</option>`,
            )}
          </select>
        </div>
      </div>
      <p class="hint" role="status">
        ${rows.length} of ${this.items?.length ?? 0} loaded integrations shown${this.nextToken ? '; more exist' : ''}.
      </p>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">
            Integrations of project ${this.context.projectId}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Bucket</th>
              <th scope="col">Region</th>
              <th scope="col">Status</th>
              <th scope="col">Health</th>
              <th scope="col">Integration ID</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (item) =>
                html`<tr>
                  <td><a href=${routes.integration(item.integrationId)}>${item.name}</a></td>
                  <td>${item.bucketName}</td>
                  <td>${item.region}</td>
                  <td><s3i-status-badge status=${item.status}></s3i-status-badge></td>
                  <td>
                    ${
                      item.health?.lastDeliveryAt
                        ? html`Last delivery ${ago(item.health.lastDeliveryAt)}<br />Lag
                            ${duration(item.health.lagSeconds)}`
                        : html`<span class="hint">No deliveries yet</span>`
                    }
                  </td>
                  <td>
                    <span class="id"
                      ><code>${item.integrationId}</code
                      ><s3i-copy-button
                        .value=${item.integrationId}
                        label=${`Copy the ID of ${item.name}`}
                      ></s3i-copy-button
                    ></span>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${
        this.nextToken
          ? html`<div class="actions">
              <button type="button" @click=${() => this.load(true)} ?disabled=${this.loadingMore}>
                ${this.loadingMore ? 'Loading…' : 'Show more'}
              </button>
            </div>`
          : ''
      }
    `;
  }
}

customElements.define('s3i-integrations-list', IntegrationsList);
