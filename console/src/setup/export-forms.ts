/**
 * Owners' and admins' export actions: export one backup now, and the cluster's auto-export rule
 * (every completed backup exported by itself). Only dedicated clusters, and ACTIVE integrations in
 * the cluster's region, are offered: the API would refuse the others.
 */
import { LitElement, css, html } from 'lit';
import type { ConsoleContext } from '../app/context';
import { ApiError, describeError } from '../api/errors';
import type { Backup, Cluster, ExportRule, Integration } from '../api/types';
import { shared } from '../components/styles';
import { allClusters, allIntegrations, recentBackups, usableFor } from './project-lists';

export class ExportForms extends LitElement {
  static override properties = {
    context: { attribute: false },
    clusters: { state: true },
    integrations: { state: true },
    clusterId: { state: true },
    backups: { state: true },
    rule: { state: true },
    message: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare context: ConsoleContext;
  declare clusters: Cluster[] | undefined;
  declare integrations: Integration[];
  declare clusterId: string;
  declare backups: Backup[] | undefined;
  declare rule: ExportRule | null | undefined;
  declare message: string;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.integrations = [];
    this.clusterId = '';
    this.message = '';
    this.error = '';
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
    `,
  ];

  override connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      [this.clusters, this.integrations] = await Promise.all([
        allClusters(this.context),
        allIntegrations(this.context),
      ]);
      const first = this.clusters.find((cluster) => cluster.tier === 'dedicated');
      if (first) await this.pickCluster(first.clusterId);
    } catch (error) {
      this.error = describeError(error);
      this.clusters ??= [];
    }
  }

  private async pickCluster(clusterId: string) {
    this.clusterId = clusterId;
    this.backups = undefined;
    this.rule = undefined;
    const path = { params: { path: { projectId: this.context.projectId, clusterId } } };
    try {
      this.backups = await recentBackups(this.context, clusterId);
      this.rule = await this.context.api
        .call(this.context.api.raw.GET('/v1/projects/{projectId}/clusters/{clusterId}/backup-export-rule', path))
        .catch((error: unknown) => {
          if (error instanceof ApiError && error.code === 'EXPORT_RULE_NOT_FOUND') return null;
          throw error;
        });
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private value(id: string) {
    return (this.renderRoot.querySelector(`#${id}`) as HTMLInputElement | HTMLSelectElement | null)?.value ?? '';
  }

  private async run(action: () => Promise<string>) {
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      this.message = await action();
    } catch (error) {
      this.error = describeError(error);
      if (error instanceof ApiError && error.fieldIssues.length > 0)
        this.error += ` (${error.fieldIssues.map((issue) => issue.issue).join('; ')})`;
    } finally {
      this.busy = false;
    }
  }

  private exportBackup(event: Event) {
    event.preventDefault();
    const backupId = this.value('backup');
    void this.run(async () => {
      await this.context.api.call(
        this.context.api.raw.POST('/v1/projects/{projectId}/clusters/{clusterId}/backups/{backupId}/export', {
          params: { path: { projectId: this.context.projectId, clusterId: this.clusterId, backupId } },
          body: { integrationId: this.value('export-integration'), directory: this.value('export-directory') },
        }),
      );
      this.dispatchEvent(new CustomEvent('export-started', { bubbles: true, composed: true }));
      return `Export of ${backupId} started: follow it in the list below.`;
    });
  }

  private saveRule(event: Event) {
    event.preventDefault();
    void this.run(async () => {
      this.rule = await this.context.api.call(
        this.context.api.raw.PUT('/v1/projects/{projectId}/clusters/{clusterId}/backup-export-rule', {
          params: { path: { projectId: this.context.projectId, clusterId: this.clusterId } },
          body: { integrationId: this.value('rule-integration'), directory: this.value('rule-directory') },
        }),
      );
      return `Every new backup of ${this.clusterId} is now exported by itself.`;
    });
  }

  private removeRule() {
    void this.run(async () => {
      await this.context.api.call(
        this.context.api.raw.DELETE('/v1/projects/{projectId}/clusters/{clusterId}/backup-export-rule', {
          params: { path: { projectId: this.context.projectId, clusterId: this.clusterId } },
        }),
      );
      this.rule = null;
      return `Backups of ${this.clusterId} are no longer exported automatically; running exports continue.`;
    });
  }

  override render() {
    if (this.clusters === undefined) return html`<s3i-loading text="Loading clusters…"></s3i-loading>`;
    const dedicated = this.clusters.filter((cluster) => cluster.tier === 'dedicated');
    if (dedicated.length === 0)
      return html`<div class="notice">Exports need a dedicated cluster; this project has none.</div>`;
    const cluster = this.clusters.find((candidate) => candidate.clusterId === this.clusterId);
    const usable = usableFor(this.integrations, cluster);
    const integrationOptions = (selected?: string) =>
      usable.map(
        (integration) =>
          html`<option value=${integration.integrationId} ?selected=${integration.integrationId === selected}>
            ${integration.name} (${integration.bucketName})
          </option>`,
      );
    return html`
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.message ? html`<div class="success" role="status">${this.message}</div>` : ''}
      <label for="cluster">Cluster</label>
      <select
        id="cluster"
        @change=${(event: Event) => void this.pickCluster((event.target as HTMLSelectElement).value)}
      >
        ${this.clusters.map(
          (candidate) =>
            html`<option
              value=${candidate.clusterId}
              ?disabled=${candidate.tier !== 'dedicated'}
              ?selected=${candidate.clusterId === this.clusterId}
            >
              ${candidate.clusterId}
              (${candidate.region}${candidate.tier !== 'dedicated' ? ', serverless: no exports' : ''})
            </option>`,
        )}
      </select>
      ${this.context.canWrite ? this.renderForms(usable, integrationOptions) : this.renderRule()}
    `;
  }

  private renderRule() {
    return html`<section class="card" aria-labelledby="auto-export">
      <h3 id="auto-export">Automatically: the auto-export rule of ${this.clusterId}</h3>
      <p>${this.ruleText()}</p>
    </section>`;
  }

  private ruleText() {
    if (this.rule === undefined) return 'Loading…';
    if (!this.rule) return html`<strong>Off</strong>: backups are exported only when someone asks.`;
    const name =
      this.integrations.find((integration) => integration.integrationId === this.rule?.integrationId)?.name ??
      this.rule.integrationId;
    const directory = this.rule.directory;
    return html`<strong>On</strong>: every completed backup goes to <code>${directory}</code> through ${name}.`;
  }

  private renderForms(usable: Integration[], integrationOptions: (selected?: string) => unknown) {
    const cluster = this.clusters?.find((candidate) => candidate.clusterId === this.clusterId);
    return html`
      ${
        usable.length === 0
          ? html`<div class="notice">
              No integration in ${cluster?.region} is active yet. Create and validate one in that region first.
            </div>`
          : ''
      }
      <form class="card" @submit=${this.exportBackup} aria-labelledby="export-now">
        <h3 id="export-now">Now, once</h3>
        <div class="grid">
          <div>
            <label for="backup">Backup</label>
            ${
              this.backups === undefined
                ? html`<s3i-loading text="Loading backups…"></s3i-loading>`
                : this.backups.length === 0
                  ? html`<p class="empty" id="backup">No finished backup of this cluster yet.</p>`
                  : html`<select id="backup">
                      ${this.backups.map(
                        (backup) =>
                          html`<option value=${backup.backupId}>
                            ${backup.backupId} (${new Date(backup.completedAt).toLocaleString()})
                          </option>`,
                      )}
                    </select>`
            }
          </div>
          <div>
            <label for="export-integration">Integration</label
            ><select id="export-integration">
              ${integrationOptions()}
            </select>
          </div>
          <div>
            <label for="export-directory">Directory in the bucket</label
            ><input id="export-directory" value="backups" aria-describedby="export-directory-hint" />
            <p class="hint" id="export-directory-hint">
              Files go to &lt;directory&gt;/&lt;cluster&gt;/&lt;backup&gt;/.
            </p>
          </div>
        </div>
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.busy || !this.backups?.length || usable.length === 0}>
            Export
          </button>
        </div>
      </form>
      <form class="card" @submit=${this.saveRule} aria-labelledby="auto-export">
        <h3 id="auto-export">Automatically: the auto-export rule of ${this.clusterId}</h3>
        <p>${this.ruleText()}</p>
        <div class="grid">
          <div>
            <label for="rule-integration">Integration</label
            ><select id="rule-integration">
              ${integrationOptions(this.rule?.integrationId)}
            </select>
          </div>
          <div>
            <label for="rule-directory">Directory in the bucket</label
            ><input id="rule-directory" .value=${this.rule?.directory ?? 'backups'} />
          </div>
        </div>
        <div class="actions">
          <button class="primary" type="submit" ?disabled=${this.busy || usable.length === 0}>
            ${this.rule ? 'Save the rule' : 'Turn auto-export on'}
          </button>
          ${
            this.rule
              ? html`<button type="button" @click=${this.removeRule} ?disabled=${this.busy}>
                  Turn auto-export off
                </button>`
              : ''
          }
        </div>
      </form>
    `;
  }
}

customElements.define('s3i-export-forms', ExportForms);
