/**
 * Forwarding lag over the last day as a bar chart (SVG, largest lag per 10-minute slot), with
 * the same numbers in a table for screen readers and for anyone who prefers numbers.
 */
import { LitElement, css, html, svg } from 'lit';
import type { LagHistory } from '../api/types';
import { duration } from './format';
import { shared } from './styles';

/** Axis labels stay short: "45 s", "12 min", "3 h". */
const axisLabel = (seconds: number) =>
  seconds < 120
    ? `${seconds} s`
    : seconds < 7200
      ? `${Math.round(seconds / 60)} min`
      : `${Math.round(seconds / 3600)} h`;

const WIDTH = 720;
const HEIGHT = 180;
const PAD = { left: 56, right: 8, top: 8, bottom: 28 };

export class LagChart extends LitElement {
  static override properties = { history: { attribute: false } };
  declare history: LagHistory | undefined;

  static override styles = [
    shared,
    css`
      svg {
        width: 100%;
        height: auto;
        max-width: 48rem;
      }
      .axis {
        fill: var(--muted);
        font-size: 12px;
      }
      .bar {
        fill: #0b5cad;
      }
      .grid {
        stroke: #d0d7de;
      }
    `,
  ];

  override render() {
    const points = this.history?.points ?? [];
    if (points.length === 0)
      return html`<p class="empty">
        No lag measured yet: it appears once audit-log forwarding runs through this integration.
      </p>`;
    const now = Date.now();
    const span = 24 * 3600 * 1000;
    const start = now - span;
    const maxLag = Math.max(60, ...points.map((point) => point.lagSeconds));
    const plotWidth = WIDTH - PAD.left - PAD.right;
    const plotHeight = HEIGHT - PAD.top - PAD.bottom;
    const slotWidth = Math.max(2, (plotWidth * ((this.history?.slotSeconds ?? 600) * 1000)) / span - 1);
    const x = (at: string) => PAD.left + ((Date.parse(at) - start) / span) * plotWidth;
    const y = (lag: number) => PAD.top + plotHeight - (lag / maxLag) * plotHeight;
    const worst = points.reduce((a, b) => (b.lagSeconds > a.lagSeconds ? b : a));
    const label =
      `Forwarding lag over the last 24 hours: ${points.length} measured intervals, largest ` +
      `${duration(worst.lagSeconds)}, latest ${duration(points.at(-1)?.lagSeconds)}.`;
    return html`
      <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label=${label}>
        ${[0, 0.5, 1].map((fraction) => {
          const lineY = y(maxLag * fraction);
          const axisText = axisLabel(Math.round(maxLag * fraction));
          return svg`<line class="grid" x1=${PAD.left} x2=${WIDTH - PAD.right} y1=${lineY} y2=${lineY} />
          <text class="axis" x=${PAD.left - 6} y=${lineY + 4} text-anchor="end">${axisText}</text>`;
        })}
        ${points.map((point) => {
          const top = Math.min(y(point.lagSeconds), PAD.top + plotHeight - 2);
          const height = Math.max(2, PAD.top + plotHeight - y(point.lagSeconds));
          const time = new Date(point.at).toLocaleTimeString();
          return svg`<rect class="bar" x=${x(point.at)} y=${top} width=${slotWidth}
            height=${height}><title>${time}: ${duration(point.lagSeconds)}</title></rect>`;
        })}
        <text class="axis" x=${PAD.left} y=${HEIGHT - 6}>24 h ago</text>
        <text class="axis" x=${WIDTH - PAD.right} y=${HEIGHT - 6} text-anchor="end">now</text>
      </svg>
      <details>
        <summary>Lag as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">10 minutes from</th>
              <th scope="col">Largest lag</th>
            </tr>
          </thead>
          <tbody>
            ${points.map(
              (point) =>
                html`<tr>
                  <td>${new Date(point.at).toLocaleString()}</td>
                  <td>${duration(point.lagSeconds)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </details>
    `;
  }
}

customElements.define('s3i-lag-chart', LagChart);
