import { html, type SafeHtml } from './html.ts'

/** Arm colours: control grey, then Okabe–Ito hues darkened to 4.5:1 on white (text-safe). */
const palette = ['#5f6368', '#0b5fa5', '#b34700', '#00795a', '#a2467f', '#7f5a00', '#2b6f9e']

/** The colour of the i-th arm (control first). */
export function armColour(index: number): string {
  return palette[index % palette.length] ?? '#000'
}

const fmt = (n: number) => (Math.round(n * 100) / 100).toString()

/** One row of the forest plot: a lift with its fixed and always-valid intervals. */
export interface ForestRow {
  label: string
  estimate: number
  interval: { low: number; high: number }
  sequential: { low: number; high: number } | null
}

/**
 * Forest plot of relative lifts: a dot per variation, a thick bar for the fixed 95 % interval,
 * a thin one for the always-valid interval, and the line of no change at 0.
 */
export function forestPlot(rows: readonly ForestRow[], title: string): SafeHtml {
  const width = 640
  const left = 140
  const right = 20
  const rowHeight = 36
  const top = 28
  const height = top + rows.length * rowHeight + 30
  const bounds = rows.flatMap((row) => [
    row.interval.low,
    row.interval.high,
    row.sequential?.low ?? row.estimate,
    row.sequential?.high ?? row.estimate,
  ])
  let low = Math.min(0, ...bounds)
  let high = Math.max(0, ...bounds)
  if (high - low < 0.02) [low, high] = [low - 0.01, high + 0.01]
  const pad = (high - low) * 0.05
  low -= pad
  high += pad
  const x = (value: number) => left + ((value - low) / (high - low)) * (width - left - right)
  const ticks = [low, (low + high) / 2, high, 0]
  return frame({ id: 'forest', title, width, height }, [
    html` <line
        class="zero"
        x1="${fmt(x(0))}"
        x2="${fmt(x(0))}"
        y1="${top - 8}"
        y2="${height - 24}"
      />
      ${rows.map((row, i) => {
        const y = top + i * rowHeight + rowHeight / 2
        return html`<g data-arm="${row.label}">
          <text x="${left - 10}" y="${y + 4}" text-anchor="end">${row.label}</text>
          ${
            row.sequential === null
              ? ''
              : html`<line
                  class="sequential"
                  x1="${fmt(x(row.sequential.low))}"
                  x2="${fmt(x(row.sequential.high))}"
                  y1="${y}"
                  y2="${y}"
                  stroke="${armColour(i + 1)}"
                />`
          }
          <line
            class="fixed"
            x1="${fmt(x(row.interval.low))}"
            x2="${fmt(x(row.interval.high))}"
            y1="${y}"
            y2="${y}"
            stroke="${armColour(i + 1)}"
          />
          <circle cx="${fmt(x(row.estimate))}" cy="${y}" r="5" fill="${armColour(i + 1)}" />
        </g>`
      })}
      ${ticks.map(
        (tick) =>
          html`<text class="tick" x="${fmt(x(tick))}" y="${height - 8}" text-anchor="middle">
            ${(tick * 100).toFixed(0)} %
          </text>`,
      )}
      <text class="legend" x="${left}" y="14">
        dot: relative lift · thick: 95 % interval · thin: always-valid 95 % interval
      </text>`,
  ])
}

/** A daily series of one arm. */
export interface Series {
  label: string
  values: { day: string; value: number }[]
}

/**
 * A line chart over days, one line per arm, with its y axis from 0 to the largest value.
 * `format` labels the axis (counts or rates).
 */
export function lineChart(options: {
  id: string
  title: string
  series: readonly Series[]
  format: (value: number) => string
}): SafeHtml {
  const width = 640
  const height = 240
  const left = 60
  const right = 110
  const top = 16
  const bottom = 36
  const days = [...new Set(options.series.flatMap((s) => s.values.map((v) => v.day)))].sort()
  const max = Math.max(0, ...options.series.flatMap((s) => s.values.map((v) => v.value))) || 1
  const x = (day: string) =>
    days.length <= 1
      ? left + (width - left - right) / 2
      : left + (days.indexOf(day) / (days.length - 1)) * (width - left - right)
  const y = (value: number) => top + (1 - value / max) * (height - top - bottom)
  return frame({ id: options.id, title: options.title, width, height }, [
    html` <line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}" />
      <line
        class="axis"
        x1="${left}"
        x2="${width - right}"
        y1="${height - bottom}"
        y2="${height - bottom}"
      />
      <text class="tick" x="${left - 6}" y="${top + 4}" text-anchor="end">
        ${options.format(max)}
      </text>
      <text class="tick" x="${left - 6}" y="${height - bottom + 4}" text-anchor="end">
        ${options.format(0)}
      </text>
      ${
        days.length === 0
          ? html`<text x="${width / 2}" y="${height / 2}" text-anchor="middle">No data yet</text>`
          : [
              html`<text class="tick" x="${left}" y="${height - 12}">${days[0]}</text>`,
              html`<text class="tick" x="${width - right}" y="${height - 12}" text-anchor="end">
                ${days[days.length - 1]}
              </text>`,
            ]
      }
      ${options.series.map((series, i) => {
        const points = series.values.map((v) => `${fmt(x(v.day))},${fmt(y(v.value))}`).join(' ')
        return html`<g data-arm="${series.label}">
          <polyline points="${points}" fill="none" stroke="${armColour(i)}" stroke-width="2" />
          ${series.values.map(
            (v) =>
              html`<circle
                cx="${fmt(x(v.day))}"
                cy="${fmt(y(v.value))}"
                r="3"
                fill="${armColour(i)}"
              />`,
          )}
          <line
            x1="${width - right + 8}"
            x2="${width - right + 22}"
            y1="${top + 10 + i * 16}"
            y2="${top + 10 + i * 16}"
            stroke="${armColour(i)}"
            stroke-width="3"
          />
          <text x="${width - right + 26}" y="${top + 14 + i * 16}">${series.label}</text>
        </g>`
      })}`,
  ])
}

/** A chart's figure: the SVG with its accessible title, and the same title as caption. */
function frame(
  chart: { id: string; title: string; width: number; height: number },
  content: SafeHtml[],
): SafeHtml {
  const { id, title, width, height } = chart
  return html`<figure class="chart">
    <svg
      role="img"
      aria-labelledby="${id}-title"
      viewBox="0 0 ${width} ${height}"
      width="${width}"
      height="${height}"
      data-chart="${id}"
    >
      <title id="${id}-title">${title}</title>
      ${content}
    </svg>
    <figcaption>${title}</figcaption>
  </figure>`
}
