import * as vscode from 'vscode';

/**
 * Activation stays cheap: TensorFlow and models load lazily on first use, so nothing heavy is
 * imported here.
 */
export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Spanlight', { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('spanlight.showBackendInfo', async () => {
      const { describeBackend } = await import('../core/backend');
      try {
        const info = await describeBackend();
        output.info(JSON.stringify(info, null, 2));
        void vscode.window.showInformationMessage(
          `Spanlight: TensorFlow ${info.tensorflowVersion} (${info.backend} backend), matmul 256×256 in ${info.matmulMs.toFixed(2)} ms`,
        );
      } catch (err) {
        output.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
        void vscode.window.showErrorMessage(`Spanlight: TensorFlow could not be loaded: ${String(err)}`);
      }
    }),
  );
}

export function deactivate(): void {}
