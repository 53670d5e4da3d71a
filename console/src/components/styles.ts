/**
 * The console's shared look: system fonts, rem sizes (so 200% zoom scales everything and wraps
 * instead of overflowing), colours with at least 4.5:1 contrast, a visible focus ring. Hosts can
 * restyle through the custom properties (--s3i-*) without reaching into the shadow roots.
 */
import { css } from 'lit';

export const shared = css`
  :host {
    --accent: var(--s3i-accent, #0b5cad);
    --accent-text: var(--s3i-accent-text, #ffffff);
    --text: var(--s3i-text, #1b1f24);
    --muted: var(--s3i-muted, #4b5563);
    --line: var(--s3i-line, #c9d1d9);
    --surface: var(--s3i-surface, #ffffff);
    --subtle: var(--s3i-subtle, #f3f5f7);
    --danger: #a4161a;
    --ok: #1a6b32;
    --warn: #8a5300;
    display: block;
    color: var(--text);
    font-family: var(--s3i-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: 1rem;
    line-height: 1.5;
  }
  h1 {
    font-size: 1.5rem;
    margin: 0 0 1rem;
  }
  h2 {
    font-size: 1.2rem;
    margin: 1.5rem 0 0.5rem;
  }
  h3 {
    font-size: 1rem;
    margin: 1rem 0 0.25rem;
  }
  p {
    margin: 0.25rem 0 0.75rem;
  }
  a {
    color: var(--accent);
  }
  button,
  .button {
    font: inherit;
    border-radius: 0.375rem;
    border: 1px solid var(--accent);
    background: var(--surface);
    color: var(--accent);
    padding: 0.4rem 0.9rem;
    cursor: pointer;
    text-decoration: none;
    display: inline-block;
  }
  button.primary,
  .button.primary {
    background: var(--accent);
    color: var(--accent-text);
  }
  button.danger {
    border-color: var(--danger);
    color: var(--danger);
  }
  button.danger.primary {
    background: var(--danger);
    color: #fff;
  }
  button[disabled] {
    opacity: 0.6;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: 3px solid #f0b429;
    outline-offset: 2px;
  }
  label {
    display: block;
    font-weight: 600;
    margin: 0.75rem 0 0.25rem;
  }
  input,
  select,
  textarea {
    font: inherit;
    padding: 0.4rem 0.5rem;
    border: 1px solid #6b7280;
    border-radius: 0.25rem;
    width: 100%;
    max-width: 32rem;
    box-sizing: border-box;
    background: var(--surface);
    color: var(--text);
  }
  input[aria-invalid='true'] {
    border-color: var(--danger);
  }
  .hint {
    color: var(--muted);
    font-size: 0.9rem;
    margin: 0.25rem 0;
  }
  .field-error {
    color: var(--danger);
    font-size: 0.9rem;
    margin: 0.25rem 0;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin: 1rem 0;
    align-items: center;
  }
  .card {
    border: 1px solid var(--line);
    border-radius: 0.5rem;
    padding: 1rem;
    margin: 0 0 1rem;
    background: var(--surface);
  }
  .card > :first-child {
    margin-top: 0;
  }
  fieldset {
    border: 0;
    padding: 0;
    margin: 0.5rem 0;
    min-width: 0;
  }
  .error {
    border: 1px solid var(--danger);
    background: #fdecec;
    color: #5c0b0e;
    border-radius: 0.5rem;
    padding: 0.75rem 1rem;
    margin: 0.5rem 0 1rem;
  }
  .notice {
    border: 1px solid var(--line);
    background: var(--subtle);
    border-radius: 0.5rem;
    padding: 0.75rem 1rem;
    margin: 0.5rem 0 1rem;
  }
  .success {
    border: 1px solid var(--ok);
    background: #e8f5ec;
    color: #0d3b1c;
    border-radius: 0.5rem;
    padding: 0.75rem 1rem;
    margin: 0.5rem 0 1rem;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: left;
    padding: 0.5rem;
    border-bottom: 1px solid var(--line);
    vertical-align: top;
  }
  th {
    font-size: 0.9rem;
    color: var(--muted);
  }
  .table-wrap {
    overflow-x: auto;
  }
  code,
  pre {
    font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    font-size: 0.875rem;
  }
  pre {
    background: var(--subtle);
    border: 1px solid var(--line);
    border-radius: 0.375rem;
    padding: 0.75rem;
    overflow: auto;
    max-height: 24rem;
    margin: 0.25rem 0;
    white-space: pre-wrap;
    word-break: break-all;
  }
  dl {
    display: grid;
    grid-template-columns: minmax(8rem, max-content) 1fr;
    gap: 0.25rem 1rem;
    margin: 0;
  }
  dt {
    color: var(--muted);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .empty {
    color: var(--muted);
    padding: 1rem 0;
  }
  dialog {
    max-width: 36rem;
    border: 1px solid var(--line);
    border-radius: 0.5rem;
    padding: 1.25rem;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.4);
  }
`;
