/** Number formatting for the dashboard (text only: every value is set with textContent). */
export const percent = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? '–' : `${(100 * value).toFixed(1)}`;

export const fixed = (value: number | undefined, digits = 3): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const integer = (value: number): string => Math.round(value).toLocaleString('en-US');
