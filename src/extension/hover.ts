/**
 * Hovers over entities and POS tags: label, confidence, source, alternatives, and links to change
 * or remove the label. Document text is escaped; only our own commands are trusted in the links.
 */
import * as vscode from 'vscode';
import { REJECTED_LABEL } from '../core/annotations/annotation-set';
import { escapeMarkdown } from '../core/annotations/markdown';
import { labelDescription } from '../core/annotations/schema';
import type { Ctx } from './ctx';
import { CommandId } from './ids';
import { toRange } from './spans';

const percent = (p: number) => `${(100 * p).toFixed(0)}%`;

export interface LabelTarget {
  uri: string;
  offset: number;
}

function commandLink(title: string, command: string, target: LabelTarget): string {
  return `[${title}](command:${command}?${encodeURIComponent(JSON.stringify([target]))} "${title}")`;
}

export class SpanlightHoverProvider implements vscode.HoverProvider {
  constructor(private readonly ctx: Ctx) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const offset = document.offsetAt(position);
    // Only what is shown is explained: no POS line while POS tags are hidden, and so on.
    const entity = this.ctx.view.shows('entities') ? this.ctx.editor.entityAt(document, offset) : undefined;
    const pos = this.ctx.view.showsPos(document) ? this.ctx.editor.posAt(document, offset) : undefined;
    if (!entity && !pos) return undefined;
    const md = new vscode.MarkdownString('', true);
    md.isTrusted = { enabledCommands: [CommandId.ChangeLabel, CommandId.RemoveLabel] };
    md.supportHtml = false;
    let range: vscode.Range | undefined;
    const target = { uri: document.uri.toString(), offset };
    const lines: string[] = [];
    if (entity) {
      const count = this.ctx.config.get('hover.alternatives');
      const task = this.ctx.tasks.spanTask(document);
      /** The label with its schema description, when it has one. */
      const described = (label: string) => {
        const description = labelDescription(task, label);
        return `**${escapeMarkdown(label)}**${description ? ` (${escapeMarkdown(description)})` : ''}`;
      };
      switch (entity.kind) {
        case 'annotated': {
          const a = entity.annotation;
          range = toRange(document, a);
          lines.push(
            a.label === REJECTED_LABEL
              ? '~~entity~~ **rejected** · not an entity: its words are outside (O) in the training data'
              : `${described(a.label)} · ${a.origin === 'accepted' ? 'accepted suggestion' : 'annotated'}`,
            `$(quote) ${escapeMarkdown(a.text)}`,
          );
          break;
        }
        case 'suggested': {
          const s = entity.suggestion;
          range = toRange(document, s);
          lines.push(
            `${described(s.label)} · ${percent(s.confidence)} · model ${escapeMarkdown(entity.model)}`,
            `$(quote) ${escapeMarkdown(s.text)}`,
          );
          const alternatives = s.alternatives.slice(0, count);
          if (alternatives.length > 0) {
            lines.push(
              `Alternatives: ${alternatives.map((alt) => `${escapeMarkdown(alt.label === 'O' ? 'none' : alt.label)} ${percent(alt.probability)}`).join(' · ')}`,
            );
          }
          break;
        }
        case 'gold':
          range = toRange(document, entity.token);
          lines.push(
            `**${escapeMarkdown(entity.token.label)}** · gold label \`${escapeMarkdown(entity.token.tag)}\` from this file`,
          );
          break;
      }
      if (entity.kind !== 'gold') {
        lines.push(
          `${commandLink('Change label…', CommandId.ChangeLabel, target)} · ${commandLink('Remove label', CommandId.RemoveLabel, target)}`,
        );
      }
    }
    if (pos) {
      range ??= toRange(document, pos);
      const alternatives = pos.alternatives
        .slice(0, this.ctx.config.get('hover.alternatives'))
        .map((alt) => `${escapeMarkdown(alt.label)} ${percent(alt.probability)}`)
        .join(' · ');
      const model = this.ctx.tagging.suggestions(document).posModel?.name ?? 'model';
      lines.push(
        `POS **${escapeMarkdown(pos.label)}** · ${percent(pos.confidence)} · model ${escapeMarkdown(model)}${alternatives ? ` · then ${alternatives}` : ''}`,
      );
    }
    md.appendMarkdown(lines.join('\n\n'));
    return new vscode.Hover(md, range);
  }
}
