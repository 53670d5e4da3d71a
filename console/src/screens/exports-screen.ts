/**
 * Screen 5: backup exports: the project's jobs with progress bars (objects and bytes), status and
 * error, refreshed while any job runs; and, for owners and admins, exporting a backup and each
 * cluster's auto-export rule (setup/export-forms.ts).
 */
import { LitElement, css, html } from 'lit';
import type { ConsoleContext } from '../app/context';
import { describeError, withoutApiHints } from '../api/errors';
import type { Job } from '../api/types';
import { bytes, time } from '../components/format';
import { shared } from '../components/styles';
import '../setup/export-forms';

const POLL_MS = 1000;

export class ExportsScreen extends LitElement {
  static override properties = {
    context: { attribute: false },
    jobs: { state: true },
    nextToken: { state: true },
    error: { state: true },
  };
  declare context: ConsoleContext;
  declare jobs: Job[] | undefined;
  declare nextToken: string | undefined;
  declare error: string;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.error = '';
  }

  static override styles = [
    shared,
    css`
      .progress {
        display: grid;
        grid-template-columns: minmax(6rem, 10rem) auto;
        gap: 0.25rem 0.5rem;
        align-items: center;
        font-size: 0.9rem;
      }
    `,
  ];

  override connectedCallback() {
    super.connectedCallback();
    this.addEventListener('export-started', () => void this.load());
    void this.load();
  }

  override disconnectedCallback() {
    clearTimeout(this.timer);
    super.disconnectedCallback();
  }

  private async load(more = false) {
    clearTimeout(this.timer);
    try {
      const page = await this.context.api.call(
        this.context.api.raw.GET('/v1/projects/{projectId}/jobs', {
          params: {
            path: { projectId: this.context.projectId },
            query: { limit: 25, ...(more && this.nextToken ? { nextToken: this.nextToken } : {}) },
          },
        }),
      );
      const items = [...(more ? (this.jobs ?? []) : []), ...page.items].sort((a, b) =>
        b.createdAt.localeCompare(a.createdAt),
      );
      this.jobs = items;
      this.nextToken = page.nextToken;
      this.error = '';
    } catch (error) {
      this.error = describeError(error);
      this.jobs ??= [];
    }
    if (this.jobs?.some((job) => job.status === 'PENDING' || job.status === 'RUNNING'))
      this.timer = setTimeout(() => void this.load(), POLL_MS);
  }

  override render() {
    return html`
      <h1 tabindex="-1">Backup exports</h1>
      <p class="hint">
        An export copies the files of a finished backup of a dedicated cluster into the integration's bucket, verifies
        each copy, and writes a manifest last.
      </p>
      <h2>Export jobs</h2>
      ${
        this.error
          ? html`<div class="error" role="alert">
              ${this.error} <button type="button" @click=${() => this.load()}>Try again</button>
            </div>`
          : ''
      }
      ${
        this.jobs === undefined
          ? html`<s3i-loading text="Loading export jobs…"></s3i-loading>`
          : this.renderJobs(this.jobs)
      }
      <h2>Export a backup</h2>
      <s3i-export-forms .context=${this.context}></s3i-export-forms>
    `;
  }

  private renderJobs(jobs: Job[]) {
    if (jobs.length === 0)
      return html`<p class="empty">
        No export yet.${this.context.canWrite ? ' Export a backup below, or set an auto-export rule.' : ''}
      </p>`;
    return html`<div class="table-wrap">
        <table>
          <caption class="visually-hidden">
            Export jobs, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Backup</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Destination</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            ${jobs.map((job) => {
              const { objectsCopied, objectsTotal, bytesCopied, bytesTotal } = job.progress;
              return html`<tr data-job=${job.jobId}>
                <td>
                  ${job.backupId}<br /><span class="hint"
                    >cluster ${job.clusterId}${job.trigger === 'AUTO_EXPORT_RULE' ? ', automatic' : ''}</span
                  >
                </td>
                <td>
                  <s3i-status-badge status=${job.status}></s3i-status-badge
                  >${job.error ? html`<p class="field-error">${withoutApiHints(job.error.message)}</p>` : ''}
                </td>
                <td>
                  <div class="progress">
                    <s3i-progress-bar
                      .value=${objectsCopied}
                      .max=${objectsTotal}
                      label=${`Files of ${job.backupId}`}
                    ></s3i-progress-bar
                    ><span>${objectsCopied} of ${objectsTotal} files</span>
                    <s3i-progress-bar
                      .value=${bytesCopied}
                      .max=${bytesTotal}
                      label=${`Bytes of ${job.backupId}`}
                    ></s3i-progress-bar
                    ><span>${bytes(bytesCopied)} of ${bytes(bytesTotal)}</span>
                  </div>
                </td>
                <td><code>s3://${job.destination.bucket}/${job.destination.prefix}</code></td>
                <td>${time(job.startedAt ?? job.createdAt)}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      ${
        this.nextToken
          ? html`<div class="actions"><button type="button" @click=${() => this.load(true)}>Show more</button></div>`
          : ''
      }`;
  }
}

customElements.define('s3i-exports-screen', ExportsScreen);
