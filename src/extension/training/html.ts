/** The dashboard page's HTML: the shared webview shell (src/extension/webview-page.ts). */
import { type WebviewPageOptions, webviewPageHtml } from '../webview-page';

export type DashboardPageOptions = WebviewPageOptions;

export const dashboardHtml = (options: DashboardPageOptions): string =>
  webviewPageHtml({ ...options, title: 'Spanlight Training' });
