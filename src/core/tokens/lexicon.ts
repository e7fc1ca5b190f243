/**
 * Word lists behind the tokenizer's and the sentence splitter's decisions, English and French.
 * All entries are lower case unless the set says otherwise.
 */

/**
 * Abbreviations that keep their period (`Dr.`, `Réf.`) as UD English-EWT does. Titles and
 * other prefixes here never end a sentence; see {@link SENTENCE_FINAL_ABBREVIATIONS}.
 */
export const ABBREVIATIONS: ReadonlySet<string> = new Set([
  // English titles and name parts
  'mr',
  'mrs',
  'ms',
  'messrs',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'ft',
  'gen',
  'gov',
  'capt',
  'lt',
  'col',
  'sgt',
  'cpl',
  'rev',
  'hon',
  'pres',
  'sen',
  'rep',
  'reps',
  'supt',
  // companies
  'inc',
  'ltd',
  'co',
  'corp',
  'bros',
  'llc',
  // Latin and writing
  'vs',
  'etc',
  'al',
  'cf',
  'viz',
  'approx',
  'dept',
  'attn',
  'ext',
  'misc',
  // months and days that are not also ordinary words
  'jan',
  'feb',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
  'mon',
  'tues',
  'thu',
  'thur',
  'thurs',
  'fri',
  // addresses
  'ave',
  'blvd',
  'rd',
  'hwy',
  // French
  'mme',
  'mmes',
  'mlle',
  'mlles',
  'mgr',
  'pr',
  'réf',
  'ref',
  'tél',
  'tel',
  'env',
  'bd',
  'boul',
  'av',
  'éd',
  'chap',
  'resp',
  'cad',
  'appt',
  'apt',
  'bât',
  'dép',
  'hab',
]);

/**
 * Abbreviations that are also ordinary words (`no`, `p`, `fig`), so they keep their period only
 * when a number follows: `No. 5`, `p. 12`, `art. 3`, but "The answer is no."
 */
export const ABBREVIATIONS_BEFORE_NUMBER: ReadonlySet<string> = new Set([
  'no',
  'nos',
  'sept', // also French for seven: `Ils sont sept.`
  'nr',
  'fig',
  'figs',
  'vol',
  'vols',
  'p',
  'pp',
  'n',
  'art',
  'ch',
  'sec',
  'para',
  'eq',
  'ex',
]);

/**
 * Abbreviations that often close a sentence (`… and so on, etc.`). At the end of the text their
 * period is the sentence's own token, as in UD English-EWT; the sentence splitter also lets a
 * capitalised word after them start a new sentence. Titles never do (`Mr. Smith`).
 */
export const SENTENCE_FINAL_ABBREVIATIONS: ReadonlySet<string> = new Set([
  'etc',
  'inc',
  'ltd',
  'co',
  'corp',
  'bros',
  'llc',
  'al',
]);

/**
 * Units and magnitudes that UD English-EWT writes as their own token after a number (`65` `k`,
 * `$170` `m`, `35` `mm`, `190` `m²`), unlike the rest of digit-letter mixes (`1970s`, `4G`).
 * Case-sensitive.
 */
export const NUMBER_UNITS: ReadonlySet<string> = new Set([
  'k',
  'K',
  'm',
  'M',
  'b',
  'B',
  'bn',
  'mn',
  'mm',
  'cm',
  'km',
  'm²',
  'm2',
  'm³',
  'km²',
  'ha',
  'kg',
  'mg',
  'g',
  'lb',
  'lbs',
  'oz',
  'ft',
  'mph',
  'kph',
  'ml',
  'cl',
  'l',
  'L',
  'kb',
  'KB',
  'mb',
  'MB',
  'gb',
  'GB',
  'Gb',
  'tb',
  'TB',
  'hz',
  'Hz',
  'kHz',
  'MHz',
  'GHz',
  'kw',
  'kW',
  'kWh',
  'MW',
  'V',
  'W',
]);

/**
 * Prefixes that stay joined to the rest of a hyphenated word (`e-mail`, `non-profit`). Other
 * hyphens between words become their own token, as in UD English-EWT (`well - known`).
 */
export const HYPHEN_PREFIXES: ReadonlySet<string> = new Set([
  'anti',
  'bi',
  'co',
  'counter',
  'cross',
  'e',
  'ex',
  'extra',
  'hyper',
  'inter',
  'intra',
  'macro',
  'mega',
  'meta',
  'micro',
  'mid',
  'mini',
  'mis',
  'multi',
  'neo',
  'non',
  'over',
  'post',
  'pre',
  'pro',
  'pseudo',
  'psycho',
  're',
  'semi',
  'socio',
  'sub',
  'super',
  'trans',
  'tri',
  'ultra',
  'un',
  'under',
  'vice',
]);

/** French elided words, split off with their apostrophe: `l'appartement` → `l'` + `appartement`. */
export const ELISION_PREFIXES: ReadonlySet<string> = new Set([
  'c',
  'd',
  'j',
  'l',
  'm',
  'n',
  's',
  't',
  'qu',
  'jusqu',
  'lorsqu',
  'puisqu',
  'quoiqu',
]);

/** Words with an inner apostrophe that are one word, not an elision (apostrophe as `'`). */
export const ELISION_EXCEPTIONS: ReadonlySet<string> = new Set([
  "aujourd'hui",
  "prud'homme",
  "prud'hommes",
  "prud'homal",
  "prud'homale",
  "prud'homales",
  "prud'homaux",
]);

/** English clitics split off the end of a word: `I'll` → `I` + `'ll` (apostrophe as `'`). */
export const ENGLISH_CLITICS: readonly string[] = ["'s", "'re", "'ve", "'ll", "'d", "'m"];

/**
 * Contractions written without an apostrophe, split where UD English-EWT splits them; the
 * number is the length of the first part (`cannot` → `can` + `not`). Applied to lower-case and
 * capitalised words only, so that acronyms such as `IM` stay whole.
 */
export const SPLIT_WITHOUT_APOSTROPHE: ReadonlyMap<string, number> = new Map([
  ['cannot', 3],
  ['gonna', 3],
  ['gotta', 3],
  ['wanna', 3],
  ['outta', 3],
  ['didnt', 3],
  ['doesnt', 4],
  ['isnt', 2],
  ['wasnt', 3],
  ['arent', 3],
  ['werent', 4],
  ['havent', 4],
  ['hasnt', 3],
  ['hadnt', 3],
  ['couldnt', 5],
  ['wouldnt', 5],
  ['shouldnt', 6],
  ['wont', 2],
  ['cant', 2],
  ['aint', 2],
  ['im', 1],
  ['ive', 1],
  ['thats', 4],
  ['theres', 5],
]);
