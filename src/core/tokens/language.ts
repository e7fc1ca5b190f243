/**
 * The natural language of a text, from its most frequent function words: enough to keep an
 * English model off a French listing (models say their language in their card). Returns
 * undefined when the text gives too little evidence either way.
 */

const STOPWORDS: Record<string, readonly string[]> = {
  en: [
    'the',
    'and',
    'of',
    'to',
    'in',
    'is',
    'that',
    'for',
    'with',
    'on',
    'was',
    'by',
    'at',
    'from',
    'this',
    'are',
    'it',
    'be',
    'has',
    'have',
    'will',
    'an',
    'its',
    'their',
    'would',
    'about',
    'which',
    'after',
    'i',
    'you',
    'my',
    'we',
    'not',
    'but',
    'or',
    'they',
    'he',
    'she',
    'his',
    'her',
    'what',
    'there',
    'if',
    'so',
    'can',
    'do',
    'all',
    'your',
    'just',
    'me',
    'any',
    'been',
    'were',
    'our',
    'how',
    'when',
    'who',
    'them',
    'had',
    'than',
    'does',
    "don't",
    'very',
    'also',
  ],
  fr: [
    'le',
    'la',
    'les',
    'de',
    'des',
    'du',
    'et',
    'un',
    'une',
    'est',
    'dans',
    'pour',
    'sur',
    'au',
    'aux',
    'avec',
    'par',
    'qui',
    'que',
    'ne',
    'pas',
    'se',
    'son',
    'sa',
    'ses',
    'il',
    'elle',
    'dont',
    'vous',
    'nous',
    'à',
    'très',
    'être',
    'je',
    'mais',
    'ou',
    'ce',
    'cette',
    'plus',
    'sont',
    'ont',
    'été',
    'leur',
    'leurs',
    'comme',
    'tout',
    'aussi',
    'ces',
    'lui',
    'y',
    'sont',
    "d'",
    "l'",
    'où',
  ],
  de: [
    'der',
    'die',
    'das',
    'und',
    'ist',
    'nicht',
    'mit',
    'den',
    'dem',
    'von',
    'zu',
    'ein',
    'eine',
    'auf',
    'für',
    'sich',
    'des',
    'im',
    'auch',
    'wird',
    'bei',
    'nach',
    'über',
    'ich',
    'wir',
    'sie',
  ],
  es: [
    'el',
    'los',
    'las',
    'del',
    'y',
    'es',
    'por',
    'con',
    'para',
    'una',
    'al',
    'lo',
    'como',
    'más',
    'pero',
    'sus',
    'este',
    'esta',
    'fue',
    'muy',
    'también',
    'yo',
    'está',
    'son',
  ],
};

const LOOKUP = new Map<string, string[]>();
for (const [language, words] of Object.entries(STOPWORDS)) {
  for (const word of words) LOOKUP.set(word, [...(LOOKUP.get(word) ?? []), language]);
}

/** How many function words of each language the text has (a word shared by several counts for each). */
export function languageScores(text: string, maxWords = 2_000): Map<string, number> {
  const scores = new Map<string, number>();
  let seen = 0;
  for (const match of text.toLowerCase().matchAll(/\p{L}+(?:'(?=\p{L}))?/gu)) {
    if (++seen > maxWords) break;
    for (const language of LOOKUP.get(match[0]) ?? []) scores.set(language, (scores.get(language) ?? 0) + 1);
  }
  return scores;
}

/**
 * The text's language (`en`, `fr`, `de`, `es`): the one with the most function words, when it
 * has at least `minEvidence` of them and half again as many as the runner-up.
 */
export function detectLanguage(text: string, minEvidence = 2): string | undefined {
  const ranked = [...languageScores(text)].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  if (!best || best[1] < minEvidence) return undefined;
  if (second && best[1] < second[1] * 1.5) return undefined;
  return best[0];
}

/** Whether a model made for `modelLanguages` (a card's `language`, e.g. `fr,en`) suits `language`. */
export function languageFits(modelLanguages: string | undefined, language: string | undefined): boolean {
  if (!modelLanguages || !language) return true;
  return modelLanguages
    .split(/[,\s]+/)
    .map((l) => l.trim().toLowerCase())
    .some((l) => l === language || l.split('-')[0] === language);
}
