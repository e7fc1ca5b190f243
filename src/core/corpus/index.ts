/** Corpus readers and writers: CoNLL-2003 columns, CoNLL-U (and UNER), JSONL spans, brat standoff. */
export { checkChunkTag, chunksOfTags, iob2TagsFromSpans, type LocatedSpan } from './chunks';
export { detectFormat, sniffFormat } from './detect';
export {
  CORPUS_FORMATS,
  type CorpusFormat,
  type CorpusItem,
  type CorpusReadOptions,
  type CorpusReadResult,
  type CorpusWriteOptions,
  type PosColumn,
} from './options';
export { CorpusError, type CorpusProblem, CorpusWriteError, formatProblem } from './problems';
export { parseCorpus, readCorpus, readCorpusItems, readSentences } from './read';
export * from './schemes';
export { type CorpusTokenizer, tokenizeForCorpus, tokenizeOnWhitespace } from './tokenize';
export { type CorpusWriteResult, writeCorpus } from './write';
