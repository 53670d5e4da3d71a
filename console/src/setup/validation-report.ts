/**
 * A validation report as a list of the six stages, each with its outcome; the failed one carries
 * what it means and the exact fix. Used live on the validation screen and on the details screen.
 */
import { LitElement, css, html } from 'lit';
import { withoutApiHints } from '../api/errors';
import type { Integration, SetupDocuments, ValidationStage } from '../api/types';
import { shared } from '../components/styles';
import { fixFor } from './fixes';
import { STAGES } from './stages';

export class ValidationReportView extends LitElement {
  static override properties = { integration: { attribute: false }, documents: { attribute: false } };
  declare integration: Integration;
  declare documents: SetupDocuments | undefined;

  static override styles = [
    shared,
    css`
      ol {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      li.stage {
        display: grid;
        grid-template-columns: 2rem 1fr;
        gap: 0.5rem;
        padding: 0.5rem 0;
        border-bottom: 1px solid var(--line);
      }
      .mark {
        font-weight: 700;
        font-size: 1.1rem;
        text-align: center;
      }
      .SUCCEEDED .mark {
        color: var(--ok);
      }
      .FAILED .mark {
        color: var(--danger);
      }
      .RUNNING .mark {
        color: var(--accent);
      }
      .WAITING {
        color: var(--muted);
      }
      .fix {
        border-left: 4px solid var(--danger);
        padding: 0.25rem 0 0.25rem 0.75rem;
        margin: 0.5rem 0;
      }
      .message {
        font-size: 0.85rem;
      }
    `,
  ];

  private stageOf(name: ValidationStage['name']): ValidationStage | undefined {
    return this.integration.validation?.stages.find((stage) => stage.name === name);
  }

  override render() {
    const report = this.integration.validation;
    const stopped = report?.result === 'FAILED';
    return html`<ol aria-label="Validation stages">
      ${STAGES.map(({ name, title, proves }) => {
        const stage = this.stageOf(name);
        const state = stage?.status ?? (stopped ? 'SKIPPED' : 'WAITING');
        const words = {
          SUCCEEDED: 'Passed',
          FAILED: 'Failed',
          RUNNING: 'Checking…',
          WAITING: 'Waiting',
          SKIPPED: 'Not run',
        }[state];
        const mark = { SUCCEEDED: '✓', FAILED: '✗', RUNNING: '…', WAITING: '○', SKIPPED: '–' }[state];
        const seconds = stage?.endedAt
          ? ((Date.parse(stage.endedAt) - Date.parse(stage.startedAt)) / 1000).toFixed(1)
          : undefined;
        return html`<li class="stage ${state === 'SKIPPED' ? 'WAITING' : state}">
          <span class="mark" aria-hidden="true">${mark}</span>
          <div>
            <strong>${title}</strong>:
            <span>${words}</span>${seconds ? html` <span class="hint">(${seconds} s)</span>` : ''}
            <div class="hint">Checks that ${proves}.</div>
            ${stage?.status === 'FAILED' ? this.renderFix(stage) : ''}
          </div>
        </li>`;
      })}
    </ol>`;
  }

  private renderFix(stage: ValidationStage) {
    const fix = fixFor(stage, this.integration, this.documents);
    return html`<div class="fix">
      <h3>${fix.title}</h3>
      <p>${fix.meaning}</p>
      <p><strong>How to fix it</strong></p>
      <ol>
        ${fix.steps.map((step) => html`<li>${step}</li>`)}
      </ol>
      ${fix.copy ? html`<s3i-json-block label=${fix.copy.label} .value=${fix.copy.value}></s3i-json-block>` : ''}
      ${
        fix.bucketRegion
          ? html`<p>
              <a href=${`#/integrations/new?region=${encodeURIComponent(fix.bucketRegion)}`}
                >Create an integration in ${fix.bucketRegion}</a
              >
            </p>`
          : ''
      }
      <details>
        <summary>Message from AWS (${stage.code})</summary>
        <p class="message"><code>${withoutApiHints(stage.message ?? '')}</code></p>
      </details>
    </div>`;
  }
}

customElements.define('s3i-validation-report', ValidationReportView);
