/**
 * The settings object: the one place that reads `spanlight.*` settings (as rust-analyzer's
 * `Config` does). It reads them once, keeps the typed values, and reads them again when a
 * Spanlight setting changes, then tells its listeners; everything else asks it, so two parts of
 * the extension never see two different values of one setting.
 *
 * Settings are read at the workspace level (no resource scope): a per-folder override would
 * otherwise give one document two answers depending on who asks.
 */
import * as vscode from 'vscode';
import { DEFAULT_CONFIG, SETTINGS_SECTION, type SpanlightConfig } from './settings';

export type { SpanlightConfig } from './settings';

/** Typed settings with defaults for anything missing or malformed. */
function readSettings(): SpanlightConfig {
  const section = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const read = <K extends keyof SpanlightConfig>(key: K): SpanlightConfig[K] => {
    const fallback = DEFAULT_CONFIG[key];
    const value = section.get<unknown>(key, fallback);
    if (Array.isArray(fallback)) return (Array.isArray(value) ? value : fallback) as SpanlightConfig[K];
    return (typeof value === typeof fallback ? value : fallback) as SpanlightConfig[K];
  };
  const config = {} as Record<keyof SpanlightConfig, unknown>;
  for (const key of Object.keys(DEFAULT_CONFIG) as Array<keyof SpanlightConfig>) config[key] = read(key);
  return config as SpanlightConfig;
}

export class Config implements vscode.Disposable {
  private values = readSettings();
  private readonly changed = new vscode.EventEmitter<SpanlightConfig>();
  private readonly listener: vscode.Disposable;
  /** Fires after the settings were read again because a Spanlight setting changed. */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
      this.values = readSettings();
      this.changed.fire(this.values);
    });
  }

  /** The current value of a setting. */
  get<K extends keyof SpanlightConfig>(key: K): SpanlightConfig[K] {
    return this.values[key];
  }

  /** Every setting at once (a snapshot: later changes make a new object). */
  get current(): SpanlightConfig {
    return this.values;
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}
