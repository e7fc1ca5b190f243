/**
 * The dashboard's three line charts (Chart.js): training loss per step, dev metric per epoch and
 * tokens/s per step. The shown run is drawn solid; runs chosen for comparison are overlaid dashed.
 */
import {
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { cellName, runCell } from '../../src/core/runs/events';
import type { ChartId, LoopCurve, RunRecord } from '../protocol';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

type Point = { x: number; y: number };

/** The points of one chart for one run. */
export function seriesOf(chart: ChartId, record: RunRecord): Point[] {
  const points: Point[] = [];
  for (const e of record.events) {
    if (chart === 'loss' && e.kind === 'step') points.push({ x: e.globalStep, y: e.loss });
    else if (chart === 'speed' && e.kind === 'step') points.push({ x: e.globalStep, y: e.tokensPerSecond });
    else if (chart === 'dev' && e.kind === 'epoch' && e.dev)
      points.push({ x: e.epoch, y: 100 * e.dev.score });
  }
  return points;
}

const FALLBACK_COLOURS = ['#3794ff', '#cca700', '#89d185', '#f14c4c', '#b180d7', '#4ec9b0'];
const THEME_COLOURS = [
  '--vscode-charts-blue',
  '--vscode-charts-yellow',
  '--vscode-charts-green',
  '--vscode-charts-red',
  '--vscode-charts-purple',
  '--vscode-charts-orange',
];

function themeColour(index: number): string {
  const styles = getComputedStyle(document.documentElement);
  const value = styles.getPropertyValue(THEME_COLOURS[index % THEME_COLOURS.length]!).trim();
  return value || FALLBACK_COLOURS[index % FALLBACK_COLOURS.length]!;
}

function foreground(): string {
  const styles = getComputedStyle(document.documentElement);
  return styles.getPropertyValue('--vscode-foreground').trim() || '#cccccc';
}

function gridColour(): string {
  const styles = getComputedStyle(document.documentElement);
  return styles.getPropertyValue('--vscode-editorWidget-border').trim() || 'rgba(128,128,128,0.3)';
}

const AXIS_TITLES: Record<ChartId, { x: string; y: string }> = {
  loss: { x: 'step', y: 'loss' },
  dev: { x: 'epoch', y: 'dev score (%)' },
  speed: { x: 'step', y: 'tokens/s' },
};

export class DashboardCharts {
  private readonly charts = new Map<ChartId, Chart<'line', Point[]>>();

  constructor(private readonly canvases: Record<ChartId, HTMLCanvasElement>) {}

  /** Redraws every chart with the shown run first and the compared runs after it. */
  update(records: readonly RunRecord[]): void {
    for (const id of Object.keys(this.canvases) as ChartId[]) {
      const datasets: ChartDataset<'line', Point[]>[] = records.map((record, i) => ({
        // The cell in the legend: compared runs often differ in just that.
        label: `${record.config.name} · ${cellName(runCell(record.config))}`,
        data: seriesOf(id, record),
        borderColor: themeColour(i),
        backgroundColor: themeColour(i),
        borderWidth: i === 0 ? 2 : 1.5,
        borderDash: i === 0 ? [] : [6, 4],
        pointRadius: id === 'dev' ? 3 : 0,
        tension: 0.15,
      }));
      const canvas = this.canvases[id];
      // Test and accessibility hook: how many points each series has, shown run first.
      canvas.dataset.points = datasets.map((d) => d.data.length).join(',');
      canvas.setAttribute(
        'aria-label',
        `${AXIS_TITLES[id].y} by ${AXIS_TITLES[id].x}: ${datasets.map((d) => `${d.label}, ${d.data.length} points`).join('; ')}`,
      );
      const existing = this.charts.get(id);
      if (existing) {
        existing.data.datasets = datasets;
        existing.update('none');
        continue;
      }
      this.charts.set(
        id,
        lineChart(canvas, datasets, {
          x: { title: AXIS_TITLES[id].x },
          y: { title: AXIS_TITLES[id].y, ...(id === 'dev' ? { suggestedMin: 0, suggestedMax: 100 } : {}) },
          normalized: true,
          tooltipIntersect: false,
        }),
      );
    }
  }

  /** The chart as a PNG data URL, drawn on the theme's background so it reads outside VS Code. */
  png(id: ChartId): string {
    return canvasPng(this.canvases[id]);
  }
}

/** A canvas as a PNG data URL on the theme's background. */
export function canvasPng(canvas: HTMLCanvasElement): string {
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const context = copy.getContext('2d')!;
  const styles = getComputedStyle(document.body);
  context.fillStyle = styles.backgroundColor || '#1e1e1e';
  context.fillRect(0, 0, copy.width, copy.height);
  context.drawImage(canvas, 0, 0);
  return copy.toDataURL('image/png');
}

/**
 * The model-in-the-loop chart: per task, each kept version's F1 on held-out reviewed sentences
 * against the reviewed sentences it was made with (a line; the version in use drawn larger), and
 * the retrains that were not kept (crosses, not joined).
 */
export class LoopChart {
  private chart: Chart<'line', Point[]> | undefined;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  update(loops: readonly LoopCurve[]): void {
    const datasets: ChartDataset<'line', Point[]>[] = loops.flatMap((loop, i) => {
      const kept = loop.versions.map((v) => ({ x: v.reviewed, y: 100 * v.score }));
      const sizes = loop.versions.map((v) => (v.current ? 6 : 3));
      return [
        {
          label: `${loop.task}: versions (${loop.versions.length})`,
          data: kept,
          borderColor: themeColour(i),
          backgroundColor: themeColour(i),
          borderWidth: 2,
          pointRadius: sizes,
          tension: 0,
        },
        ...(loop.rejected.length > 0
          ? [
              {
                label: `${loop.task}: not kept (${loop.rejected.length})`,
                data: loop.rejected.map((r) => ({ x: r.reviewed, y: 100 * r.score })),
                borderColor: themeColour(i),
                backgroundColor: themeColour(i),
                showLine: false,
                pointStyle: 'crossRot' as const,
                pointRadius: 5,
              },
            ]
          : []),
      ];
    });
    this.canvas.dataset.points = datasets.map((d) => d.data.length).join(',');
    this.canvas.setAttribute(
      'aria-label',
      `F1 on held-out reviewed sentences by reviewed sentences: ${datasets.map((d) => `${d.label}: ${d.data.map((p) => `${p.x} → ${p.y.toFixed(1)}`).join(', ')}`).join('; ')}`,
    );
    if (this.chart) {
      this.chart.data.datasets = datasets;
      this.chart.update('none');
      return;
    }
    this.chart = lineChart(this.canvas, datasets, {
      x: { title: 'reviewed sentences', suggestedMin: 0 },
      y: { title: 'F1 on held-out reviewed (%)', suggestedMin: 0, suggestedMax: 100 },
      normalized: false,
      tooltipIntersect: true,
    });
  }
}

interface AxisOptions {
  title: string;
  suggestedMin?: number;
  suggestedMax?: number;
}

/** A line chart in the theme's colours, on linear axes, without animation (it redraws live). */
function lineChart(
  canvas: HTMLCanvasElement,
  datasets: ChartDataset<'line', Point[]>[],
  options: { x: AxisOptions; y: AxisOptions; normalized: boolean; tooltipIntersect: boolean },
): Chart<'line', Point[]> {
  const colour = foreground();
  const grid = gridColour();
  const axis = ({ title, ...range }: AxisOptions, ticks: { precision?: number }) => ({
    type: 'linear' as const,
    title: { display: true, text: title, color: colour },
    ticks: { color: colour, ...ticks },
    grid: { color: grid },
    ...range,
  });
  return new Chart<'line', Point[]>(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      ...(options.normalized ? { normalized: true } : {}),
      plugins: {
        legend: { display: true, labels: { color: colour, boxWidth: 12 } },
        tooltip: { mode: 'nearest', intersect: options.tooltipIntersect },
      },
      scales: { x: axis(options.x, { precision: 0 }), y: axis(options.y, {}) },
    },
  });
}
