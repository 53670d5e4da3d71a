/**
 * Small building blocks every screen uses: a copy button that says what it copied, a status
 * badge with words (not colour alone), a JSON block with its copy button, a progress bar and a
 * loading line that screen readers announce.
 */
import { LitElement, css, html } from 'lit';
import { shared } from './styles';

export class CopyButton extends LitElement {
  static override properties = { value: {}, label: {}, copied: { state: true } };
  declare value: string;
  declare label: string;
  declare copied: boolean;

  constructor() {
    super();
    this.value = '';
    this.label = 'Copy';
    this.copied = false;
  }

  static override styles = [
    shared,
    css`
      :host {
        display: inline-block;
      }
      button {
        padding: 0.15rem 0.6rem;
        font-size: 0.9rem;
      }
    `,
  ];

  private async copy() {
    try {
      await navigator.clipboard.writeText(this.value);
    } catch {
      // Some hosts deny the clipboard: select-and-copy by hand still works on the shown text.
    }
    this.copied = true;
    setTimeout(() => (this.copied = false), 2000);
  }

  override render() {
    return html`<button type="button" @click=${this.copy} aria-label=${this.label}>
        ${this.copied ? 'Copied' : 'Copy'}</button
      ><span class="visually-hidden" role="status"
        >${this.copied ? `${this.label}: copied to the clipboard` : ''}</span
      >`;
  }
}

const BADGES: Record<string, { text: string; colour: string; background: string }> = {
  AWAITING_ROLE: { text: 'Awaiting role', colour: '#3d4451', background: '#eef0f3' },
  VALIDATING: { text: 'Validating', colour: '#0b4a8b', background: '#e3eefb' },
  ACTIVE: { text: 'Active', colour: '#135d28', background: '#e3f4e8' },
  FAILED: { text: 'Failed', colour: '#8c1217', background: '#fbe5e6' },
  PENDING: { text: 'Pending', colour: '#3d4451', background: '#eef0f3' },
  RUNNING: { text: 'Running', colour: '#0b4a8b', background: '#e3eefb' },
  SUCCEEDED: { text: 'Succeeded', colour: '#135d28', background: '#e3f4e8' },
  SUCCESSFUL: { text: 'Successful', colour: '#135d28', background: '#e3f4e8' },
  ON: { text: 'On', colour: '#135d28', background: '#e3f4e8' },
  OFF: { text: 'Off', colour: '#3d4451', background: '#eef0f3' },
};

export class StatusBadge extends LitElement {
  static override properties = { status: {} };
  declare status: string;
  static override styles = css`
    span {
      display: inline-block;
      border-radius: 999px;
      padding: 0.05rem 0.6rem;
      font-size: 0.85rem;
      font-weight: 600;
      white-space: nowrap;
    }
  `;
  override render() {
    const badge = BADGES[this.status] ?? { text: this.status, colour: '#3d4451', background: '#eef0f3' };
    return html`<span style="color:${badge.colour};background:${badge.background}">${badge.text}</span>`;
  }
}

export class JsonBlock extends LitElement {
  static override properties = { value: { attribute: false }, label: {} };
  declare value: unknown;
  declare label: string;
  static override styles = [
    shared,
    css`
      .head {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      h4 {
        margin: 0.5rem 0 0;
        font-size: 0.95rem;
      }
    `,
  ];
  override render() {
    const text = JSON.stringify(this.value, null, 2);
    return html`<div class="head">
        <h4>${this.label}</h4>
        <s3i-copy-button .value=${text} label=${`Copy ${this.label}`}></s3i-copy-button>
      </div>
      <pre tabindex="0" aria-label=${this.label}>${text}</pre>`;
  }
}

export class ProgressBar extends LitElement {
  static override properties = { value: { type: Number }, max: { type: Number }, label: {} };
  declare value: number;
  declare max: number;
  declare label: string;
  static override styles = css`
    .track {
      background: #e5e7eb;
      border-radius: 999px;
      height: 0.6rem;
      min-width: 6rem;
      overflow: hidden;
    }
    .fill {
      background: #0b5cad;
      height: 100%;
    }
  `;
  override render() {
    const percent = this.max > 0 ? Math.min(100, Math.round((this.value / this.max) * 100)) : 0;
    return html`<div
      class="track"
      role="progressbar"
      aria-label=${this.label}
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow=${percent}
      aria-valuetext=${`${percent}%`}
    >
      <div class="fill" style="width:${percent}%"></div>
    </div>`;
  }
}

export class LoadingLine extends LitElement {
  static override properties = { text: {} };
  declare text: string;
  static override styles = [
    shared,
    css`
      p {
        color: var(--muted);
      }
    `,
  ];
  override render() {
    return html`<p role="status" aria-live="polite">${this.text || 'Loading…'}</p>`;
  }
}

customElements.define('s3i-copy-button', CopyButton);
customElements.define('s3i-status-badge', StatusBadge);
customElements.define('s3i-json-block', JsonBlock);
customElements.define('s3i-progress-bar', ProgressBar);
customElements.define('s3i-loading', LoadingLine);
