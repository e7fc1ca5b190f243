import * as vscode from 'vscode';
import { DEFAULT_CONFIG, SETTINGS_SECTION, type SpanlightConfig } from './settings';

export type { SpanlightConfig } from './settings';

/** The only place that reads settings: typed, with defaults for anything missing or malformed. */
export function readConfig(scope?: vscode.ConfigurationScope): SpanlightConfig {
  const section = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
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

/** Calls `listener` when a Spanlight setting changes. */
export function onConfigChange(listener: (config: SpanlightConfig) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SETTINGS_SECTION)) listener(readConfig());
  });
}

/** Writes the display mode (the one setting commands change), in the narrowest open scope. */
export async function updateDisplayMode(mode: SpanlightConfig['display.mode']): Promise<void> {
  const target = vscode.workspace.workspaceFolders
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('display.mode', mode, target);
}
