import type { TaggedSentence } from '../../core/types';
import type { CommandSpec } from '../command';
import { parseFormat, printProblems, readCorpusWithProgress } from '../corpus-input';
import { evaluateTags, formatEvaluation } from '../report';
import { UsageError, UserError } from '../usage';

function tokensDiffer(gold: TaggedSentence, pred: TaggedSentence): boolean {
  return gold.tokens.length !== pred.tokens.length || gold.tokens.some((t, i) => t !== pred.tokens[i]);
}

export const evalCommand: CommandSpec = {
  name: 'eval',
  summary:
    'score predictions against gold tags (conlleval table, or accuracy for POS); or a model on a corpus',
  usage:
    'spanlight eval --gold GOLD --pred PRED [--format F] [--json]\n       spanlight eval MODEL_DIR CORPUS [--format F] [--json]',
  options: {
    gold: { type: 'string' },
    pred: { type: 'string' },
    format: { type: 'string' },
    xpos: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals, out, err }) {
    const format = parseFormat(values.format, '--format');
    const readOptions = {
      ...(format ? { format } : {}),
      ...(values.xpos ? { posColumn: 'xpos' as const } : {}),
    };
    let gold: TaggedSentence[];
    let pred: TaggedSentence[];
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
      pred = predResult.sentences;
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
    } else {
      if (positionals.length !== 2) throw new UsageError('give MODEL_DIR and CORPUS, or --gold and --pred');
      const [modelDir, corpus] = positionals as [string, string];
      const { loadTaggerForCli } = await import('../model-input');
      const tagger = await loadTaggerForCli(modelDir);
      try {
        const result = await readCorpusWithProgress(corpus, readOptions);
        if (result.problems.length > 0) printProblems(err, result);
        gold = result.sentences;
        const tagged = tagger.tag(
          gold.map((s) => s.tokens),
          { alternatives: 0 },
        );
        pred = gold.map((s, i) => ({ ...s, tags: tagged[i]!.map((t) => t.tag) }));
      } finally {
        tagger.dispose();
      }
    }
    const report = evaluateTags(
      gold.map((s) => s.tags),
      pred.map((s) => s.tags),
    );
    out.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatEvaluation(report));
    return 0;
  },
};
