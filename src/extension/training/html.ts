/** The dashboard page's HTML: the shared webview shell (src/extension/webview-page.ts). */
import { newNonce, type WebviewPageOptions, webviewPageHtml } from '../webview-page';

export { newNonce };
export type DashboardPageOptions = WebviewPageOptions;

export const dashboardHtml = (options: DashboardPageOptions): string =>
  webviewPageHtml({ ...options, title: 'Spanlight Training' });
