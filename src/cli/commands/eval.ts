import { convertTags, detectScheme } from '../../core/corpus';
import { goldScheme, predictTags } from '../../core/train/evaluate';
import { mapLabels } from '../../core/train/prepare';
import type { TaggedSentence } from '../../core/types';
import type { CommandSpec } from '../command';
import { parseFormat, printProblems, readCorpusWithProgress } from '../corpus-input';
import { evaluateTags, formatEvaluation } from '../report';
import { UsageError, UserError } from '../usage';
import { parseLabelMapOption } from './train';

function tokensDiffer(gold: TaggedSentence, pred: TaggedSentence): boolean {
  return gold.tokens.length !== pred.tokens.length || gold.tokens.some((t, i) => t !== pred.tokens[i]);
}

/** Predicted chunk tags rewritten in the gold file's scheme (IOB1 gold against IOB2 predictions…). */
function inGoldScheme(gold: readonly TaggedSentence[], pred: string[][]): string[][] {
  const goldTags = detectScheme(gold.map((s) => s.tags));
  const predTags = detectScheme(pred);
  if (goldTags === 'none' || predTags === 'none' || goldTags === predTags) return pred;
  return pred.map((tags) => convertTags(tags, predTags, goldTags));
}

export const evalCommand: CommandSpec = {
  name: 'eval',
  summary:
    'score predictions against gold tags (conlleval table, or accuracy for POS); or a model on a corpus',
  usage: 'spanlight eval --gold GOLD --pred PRED [options]\n       spanlight eval MODEL_DIR CORPUS [options]',
  options: {
    gold: { type: 'string', value: 'FILE', help: 'the gold-standard corpus' },
    pred: { type: 'string', value: 'FILE', help: 'the predictions, with the same tokens as --gold' },
    'map-labels': {
      type: 'string',
      value: 'A=B,…',
      help: 'rename entity types before scoring (person=PER); =O drops a type',
    },
    format: { type: 'string', value: 'FORMAT', help: 'corpus format of the files', defaultText: 'detected' },
    xpos: { type: 'boolean', help: 'CoNLL-U: score the XPOS column instead of UPOS' },
    json: { type: 'boolean', help: 'print the scores as JSON' },
  },
  async run({ values, positionals, out, err }) {
    const format = parseFormat(values.format, '--format');
    const labelMap = parseLabelMapOption(values['map-labels']);
    const map = labelMap ? new Map(Object.entries(labelMap)) : undefined;
    const readOptions = {
      ...(format ? { format } : {}),
      ...(values.xpos ? { posColumn: 'xpos' as const } : {}),
    };
    let gold: TaggedSentence[];
    let predicted: string[][];
    if (typeof values.gold === 'string' || typeof values.pred === 'string') {
      if (typeof values.gold !== 'string' || typeof values.pred !== 'string' || positionals.length > 0) {
        throw new UsageError('give both --gold and --pred (and no positional arguments)');
      }
      const [goldResult, predResult] = [
        await readCorpusWithProgress(values.gold, readOptions),
        await readCorpusWithProgress(values.pred, readOptions),
      ];
      for (const r of [goldResult, predResult]) if (r.problems.length > 0) printProblems(err, r);
      if (goldResult.problems.length + predResult.problems.length > 0) {
        throw new UserError('the files have problems (above); fix them before scoring');
      }
      gold = goldResult.sentences;
      const pred = predResult.sentences;
      if (gold.length !== pred.length) {
        throw new UserError(
          `${values.gold} has ${gold.length} sentences but ${values.pred} has ${pred.length}`,
        );
      }
      const mismatch = gold.findIndex((g, i) => tokensDiffer(g, pred[i]!));
      if (mismatch >= 0) {
        const line = pred[mismatch]!.line ?? 0;
        throw new UserError(
          `${values.pred}:${line}: sentence ${mismatch + 1} has other tokens than in ${values.gold}`,
        );
      }
      predicted = inGoldScheme(
        gold,
        pred.map((s) => s.tags),
      );
    } else {
      if (positionals.length !== 2) throw new UsageError('give MODEL_DIR and CORPUS, or --gold and --pred');
      const [modelDir, corpus] = positionals as [string, string];
      const { loadTaggerForCli } = await import('../model-input');
      const tagger = await loadTaggerForCli(modelDir);
      try {
        const result = await readCorpusWithProgress(corpus, readOptions);
        if (result.problems.length > 0) printProblems(err, result);
        gold = result.sentences;
        // The model's tags in the corpus's own scheme, so that token accuracy compares like with like.
        const scheme = tagger.scheme === 'none' ? 'none' : goldScheme(gold);
        predicted = predictTags(tagger, gold, scheme);
      } finally {
        tagger.dispose();
      }
    }
    const goldTags = gold.map((s) => (map ? mapLabels(s.tags, map) : s.tags));
    const report = evaluateTags(goldTags, map ? predicted.map((tags) => mapLabels(tags, map)) : predicted);
    out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatEvaluation(report));
    return 0;
  },
};
