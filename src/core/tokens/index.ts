/** Tokenization with character offsets and sentence splitting. */
export { alignTokens, type TokenPiece } from './align';
export { splitSentences, tokenizeSentences } from './sentences';
export { isSeparatorChar, type SentenceSpan, skipSeparators, type Token, type TokenKind } from './token';
export { tokenize } from './tokenize';
export { winkTokenize } from './wink';
