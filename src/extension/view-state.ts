/**
 * What the user chose to see, kept in the workspace's state (never written to settings files):
 * toggling the display is a view action, not a configuration change. The `spanlight.display.mode`
 * setting is the default; a toggle overrides it for this workspace until the user changes the
 * setting itself, which then wins again.
 */
import * as vscode from 'vscode';
import type { DisplayMode } from '../core/annotations/layers';
import type { Config } from './config';

const DISPLAY_MODE_KEY = 'spanlight.view.displayMode';

export class ViewState implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly listener: vscode.Disposable;
  private settingSeen: DisplayMode;
  /** Fires when what is shown changes (a toggle, or the setting). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly config: Config,
  ) {
    this.settingSeen = config.get('display.mode');
    this.listener = config.onDidChange((settings) => {
      if (settings['display.mode'] === this.settingSeen) return;
      this.settingSeen = settings['display.mode'];
      // The user changed the setting: it applies now, over an earlier toggle.
      void this.state.update(DISPLAY_MODE_KEY, undefined).then(() => this.changed.fire());
    });
  }

  get displayMode(): DisplayMode {
    return this.state.get<DisplayMode>(DISPLAY_MODE_KEY) ?? this.config.get('display.mode');
  }

  /** Whether a layer is on in the current display mode. */
  shows(layer: 'entities' | 'pos'): boolean {
    const mode = this.displayMode;
    return mode === 'both' || mode === layer;
  }

  /** Whether part-of-speech tags are shown for a document: the mode, and not too long for them. */
  showsPos(document: vscode.TextDocument): boolean {
    return this.shows('pos') && document.getText().length <= this.config.get('display.posMaxDocumentLength');
  }

  async setDisplayMode(mode: DisplayMode): Promise<void> {
    await this.state.update(DISPLAY_MODE_KEY, mode === this.config.get('display.mode') ? undefined : mode);
    this.changed.fire();
  }

  dispose(): void {
    this.listener.dispose();
    this.changed.dispose();
  }
}
