/**
 * The Compare view's charts, drawn on <canvas> by Chart.js (bundled; the CSP allows no CDN and no inline styles —
 * Chart.js sizes its canvas through the CSSOM, which the CSP permits). Colours come from VS Code's theme variables
 * and are re-read when the theme changes.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  ChartDataset,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import type { ChartDataView } from '../../src/protocol';
import { wrapLabel } from './labels';

Chart.register(ScatterController, BarController, PointElement, LineElement, BarElement, LinearScale, CategoryScale, Legend, Tooltip);

interface Theme {
  series: string[];
  foreground: string;
  muted: string;
  grid: string;
  font: string;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function theme(): Theme {
  return {
    series: [
      cssVar('--vscode-charts-blue', '#3794ff'),
      cssVar('--vscode-charts-orange', '#d18616'),
      cssVar('--vscode-charts-green', '#89d185'),
      cssVar('--vscode-charts-purple', '#b180d7'),
      cssVar('--vscode-charts-yellow', '#cca700'),
      cssVar('--vscode-charts-red', '#f14c4c'),
    ],
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#999999'),
    grid: cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
  };
}

/** A colour with alpha, for fills; theme colours are #rrggbb (or already rgba, left alone). */
function alpha(color: string, a: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

const charts: Chart[] = [];

export function destroyCharts(): void {
  while (charts.length) charts.pop()!.destroy();
}

/** Where each chart goes: a canvas inside a sized box. */
export interface ChartTargets {
  ttft: HTMLCanvasElement;
  decode: HTMLCanvasElement;
  timeline: HTMLCanvasElement;
  coldWarm: HTMLCanvasElement;
}

export function renderCharts(data: ChartDataView, targets: ChartTargets): void {
  destroyCharts();
  const t = theme();
  Chart.defaults.color = t.foreground;
  Chart.defaults.borderColor = t.grid;
  Chart.defaults.font.family = t.font;
  charts.push(stripPlot(targets.ttft, data, data.ttft, 'ms', t));
  charts.push(stripPlot(targets.decode, data, data.decode, 'tokens/s', t));
  charts.push(tokenTimeline(targets.timeline, data, t));
  charts.push(coldWarmBars(targets.coldWarm, data, t));
}

const colorOf = (t: Theme, model: number) => t.series[model % t.series.length];


/** Spreads the points of one model sideways so equal values stay visible; deterministic (no flicker on redraw). */
function jitter(i: number): number {
  return (((i * 0.618034) % 1) - 0.5) * 0.36;
}

function modelAxis(models: string[], t: Theme) {
  return {
    type: 'linear' as const,
    min: -0.5,
    max: models.length - 0.5,
    grid: { display: false },
    // One tick per model, at its column (Chart.js would put them at round numbers from min).
    afterBuildTicks: (axis: { ticks: { value: number }[] }) => {
      axis.ticks = models.map((_, i) => ({ value: i }));
    },
    ticks: {
      color: t.foreground,
      maxRotation: 0,
      callback: (v: string | number) => wrapLabel(models[Number(v)] ?? ''),
    },
  };
}

/** Every warm request as a dot, the median as a bar across its model's column. */
function stripPlot(canvas: HTMLCanvasElement, data: ChartDataView, series: ChartDataView['ttft'], unit: string, t: Theme): Chart {
  const datasets: ChartDataset<'scatter'>[] = series.map((s) => ({
    label: data.models[s.model],
    data: s.values.map((y, i) => ({ x: s.model + jitter(i), y })),
    backgroundColor: alpha(colorOf(t, s.model), 0.75),
    borderColor: colorOf(t, s.model),
    pointRadius: 4,
    pointHoverRadius: 6,
  }));
  datasets.push({
    label: 'median (p50)',
    data: series.filter((s) => s.p50 !== undefined).map((s) => ({ x: s.model, y: s.p50! })),
    pointStyle: 'line',
    pointRadius: 26,
    pointHoverRadius: 26,
    borderWidth: 4,
    borderColor: t.foreground,
    backgroundColor: t.foreground,
  });
  return new Chart(canvas, {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: modelAxis(data.models, t),
        y: { beginAtZero: true, title: { display: true, text: unit, color: t.muted } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${Number(c.parsed.y).toFixed(1)} ${unit}` } },
      },
    },
  });
}

/** Cumulative tokens over time, one line per request, coloured by model; the legend names each model once. */
function tokenTimeline(canvas: HTMLCanvasElement, data: ChartDataView, t: Theme): Chart {
  const firstOfModel = new Set<number>();
  const seen = new Set<number>();
  const datasets: ChartDataset<'scatter'>[] = data.timelines.map((line, i) => {
    if (!seen.has(line.model)) {
      seen.add(line.model);
      firstOfModel.add(i);
    }
    return {
      label: line.label,
      data: line.points.map(([x, y]) => ({ x: x / 1000, y })),
      showLine: true,
      borderColor: alpha(colorOf(t, line.model), 0.8),
      backgroundColor: colorOf(t, line.model),
      borderWidth: 1.5,
      pointRadius: 0,
      pointHitRadius: 4,
      tension: 0,
    };
  });
  return new Chart(canvas, {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { type: 'linear', beginAtZero: true, title: { display: true, text: 'seconds since the request was sent', color: t.muted } },
        y: { beginAtZero: true, title: { display: true, text: 'tokens', color: t.muted } },
      },
      plugins: {
        legend: {
          labels: {
            filter: (item) => item.datasetIndex !== undefined && firstOfModel.has(item.datasetIndex),
            generateLabels: (chart) =>
              chart.data.datasets
                .map((d, i) => ({ d, i }))
                .filter(({ i }) => firstOfModel.has(i))
                .map(({ i }) => ({
                  text: data.models[data.timelines[i].model],
                  fillStyle: colorOf(t, data.timelines[i].model),
                  strokeStyle: colorOf(t, data.timelines[i].model),
                  fontColor: t.foreground,
                  lineWidth: 1,
                  datasetIndex: i,
                  hidden: false,
                })),
          },
          onClick: () => undefined,
        },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${Number(c.parsed.y).toFixed(0)} tokens at ${Number(c.parsed.x).toFixed(2)} s` } },
      },
    },
  });
}

/** First-token latency: cold (load + first token, stacked) next to warm (median TTFT). */
function coldWarmBars(canvas: HTMLCanvasElement, data: ChartDataView, t: Theme): Chart {
  const cw = data.coldWarm;
  const datasets: ChartDataset<'bar'>[] = [
    { label: 'load (cold)', data: cw.load, stack: 'cold', backgroundColor: alpha(t.series[3], 0.8) },
    { label: 'first token (cold)', data: cw.coldTtft, stack: 'cold', backgroundColor: alpha(t.series[1], 0.85) },
    { label: 'first token (warm p50)', data: cw.warmTtft, stack: 'warm', backgroundColor: alpha(t.series[0], 0.85) },
  ];
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: data.models.map((m) => wrapLabel(m)), datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0 } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: 'ms', color: t.muted } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? 'n/a' : `${Number(c.parsed.y).toFixed(0)} ms`}` } },
      },
    },
  });
}
