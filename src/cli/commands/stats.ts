import { detectScheme, isChunkTag, repairTags, tagsToSpans } from '../../core/corpus';
import { increment, sortedCountsObject } from '../../core/counts';
import type { CommandSpec } from '../command';
import { parseFormat, printProblems, readCorpusWithProgress } from '../corpus-input';
import { UsageError } from '../usage';

export interface CorpusStats {
  path: string;
  format: string;
  sentences: number;
  tokens: number;
  /** Chunk scheme of the tags, or 'none' for plain tags (POS). */
  scheme: string;
  labels: Record<string, number>;
  /** Entities per type, for chunk tags. */
  entities?: Record<string, number>;
  /** Tags an invalid sequence would need changed to fit the scheme. */
  repairs?: number;
  problems: number;
}

export const statsCommand: CommandSpec = {
  name: 'stats',
  summary: 'corpus statistics: format, sentences, tokens, label counts, tag scheme, problems',
  usage: 'spanlight stats [--format FORMAT] [--xpos] [--json] FILE…',
  options: {
    format: {
      type: 'string',
      value: 'FORMAT',
      help: 'read the files as conll, conllu, uner, jsonl or brat',
      defaultText: 'detected from the extension and the content',
    },
    xpos: { type: 'boolean', help: 'CoNLL-U: count the XPOS column instead of UPOS' },
    json: { type: 'boolean', help: 'print the statistics as JSON' },
  },
  async run({ values, positionals, out, err }) {
    if (positionals.length === 0) throw new UsageError('give at least one corpus file');
    const format = parseFormat(values.format, '--format');
    const all: CorpusStats[] = [];
    let anyProblems = false;
    for (const path of positionals) {
      const result = await readCorpusWithProgress(path, {
        ...(format ? { format } : {}),
        ...(values.xpos ? { posColumn: 'xpos' as const } : {}),
      });
      const labels = new Map<string, number>();
      let tokens = 0;
      for (const s of result.sentences) {
        tokens += s.tokens.length;
        for (const tag of s.tags) increment(labels, tag);
      }
      const tagSequences = result.sentences.map((s) => s.tags);
      const scheme = detectScheme(tagSequences);
      const stats: CorpusStats = {
        path,
        format: result.format,
        sentences: result.sentences.length,
        tokens,
        scheme,
        labels: sortedCountsObject(labels),
        problems: result.problems.length + result.omittedProblems,
      };
      if (scheme !== 'none' && [...labels.keys()].every(isChunkTag)) {
        const entities = new Map<string, number>();
        let repairs = 0;
        for (const tags of tagSequences) {
          repairs += repairTags(tags, scheme).repairs;
          for (const span of tagsToSpans(tags, scheme)) increment(entities, span.label);
        }
        stats.entities = sortedCountsObject(entities);
        stats.repairs = repairs;
      }
      all.push(stats);
      if (result.problems.length > 0) {
        anyProblems = true;
        printProblems(err, result);
      }
      if (!values.json) out.write(formatStats(stats));
    }
    if (values.json) out.write(`${JSON.stringify(all.length === 1 ? all[0] : all, null, 2)}\n`);
    return anyProblems ? 1 : 0;
  },
};

function formatCounts(counts: Record<string, number>): string {
  const width = Math.max(...Object.keys(counts).map((k) => k.length), 5);
  return Object.entries(counts)
    .map(([label, count]) => `  ${label.padEnd(width)}  ${count.toLocaleString('en-US').padStart(9)}`)
    .join('\n');
}

function formatStats(stats: CorpusStats): string {
  const lines = [
    `${stats.path}`,
    `  format:     ${stats.format}`,
    `  sentences:  ${stats.sentences.toLocaleString('en-US')}`,
    `  tokens:     ${stats.tokens.toLocaleString('en-US')}`,
    `  scheme:     ${stats.scheme}`,
    `  problems:   ${stats.problems}`,
  ];
  if (stats.repairs !== undefined)
    lines.push(`  repairs:    ${stats.repairs} (tags an invalid ${stats.scheme} sequence needs changed)`);
  lines.push(`  labels (${Object.keys(stats.labels).length}):`, formatCounts(stats.labels));
  if (stats.entities)
    lines.push(`  entities (${Object.keys(stats.entities).length} types):`, formatCounts(stats.entities));
  return `${lines.join('\n')}\n\n`;
}
