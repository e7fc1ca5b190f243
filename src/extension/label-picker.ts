/** The label QuickPick: one key per label, search, and "New label…". */
import * as vscode from 'vscode';
import { REJECTED_LABEL } from '../core/annotations/annotation-set';

/** Single-key shortcuts: each label gets its first free letter, then digits. */
export function shortcutKeys(labels: readonly string[]): Map<string, string> {
  const keys = new Map<string, string>();
  const taken = new Set<string>();
  for (const label of labels) {
    const key = [...label.toLowerCase()].find((ch) => /[a-z]/.test(ch) && !taken.has(ch));
    if (key) {
      keys.set(label, key);
      taken.add(key);
    }
  }
  let digit = 1;
  for (const label of labels) {
    if (keys.has(label) || digit > 9) continue;
    keys.set(label, String(digit));
    taken.add(String(digit++));
  }
  return keys;
}

/** A QuickPick of labels where typing a label's key picks it at once. */
export async function pickLabel(
  labels: string[],
  title: string,
  current?: string,
): Promise<string | undefined> {
  const keys = shortcutKeys(labels);
  const newLabel = '$(add) New label…';
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { value?: string }>();
  quickPick.title = title;
  quickPick.placeholder = 'Type a letter to pick a label, or search';
  quickPick.items = [
    ...labels.map((label) => ({
      label: `${keys.get(label) ? `[${keys.get(label)}] ` : ''}${label}`,
      value: label,
      ...(label === current ? { description: 'current' } : {}),
    })),
    { label: newLabel },
  ];
  const picked = await new Promise<string | undefined>((resolve) => {
    quickPick.onDidChangeValue((value) => {
      const byKey = [...keys].find(([, key]) => key === value.toLowerCase());
      if (value.length === 1 && byKey) {
        resolve(byKey[0]);
        quickPick.hide();
      }
    });
    quickPick.onDidAccept(() => {
      const item = quickPick.selectedItems[0];
      resolve(item?.value ?? (item ? newLabel : undefined));
      quickPick.hide();
    });
    quickPick.onDidHide(() => resolve(undefined));
    quickPick.show();
  });
  quickPick.dispose();
  if (picked !== newLabel) return picked;
  const typed = await vscode.window.showInputBox({
    title: 'New label',
    prompt: 'Entity label, e.g. PRODUCT',
    validateInput: (v) => (/^[^\s]+$/.test(v) && v !== REJECTED_LABEL ? undefined : 'One word, not O'),
  });
  return typed?.trim() || undefined;
}
