/**
 * Rule-based candidate finder: regular expressions for the seven fields, scored by the words
 * around each match ("Prix :" raises a price, "frais d'agence" or "/mois" lowers it; "terrain"
 * lowers a surface; "agence" or "fax" lowers a phone). It complements the tagger: it fills the
 * fields the model missed and supplies alternatives. Spans are widened to whole tokens of
 * src/core/tokens so that they line up with the tagger's spans.
 */
import { tokenize } from '../tokens';
import type { Candidate, FieldLabel } from './fields';

interface Cue {
  /** Tested on the text just before the match (same line where the layout is one field a line). */
  before?: RegExp;
  /** Tested on the text just after the match. */
  after?: RegExp;
  weight: number;
}

interface Rule {
  label: FieldLabel;
  /** Global, with an optional named group `v` marking the value inside the match. */
  pattern: RegExp;
  base: number;
  /** Rejects a match outright (e.g. a name that is an agency). */
  reject?: (value: string, before: string, after: string) => boolean;
}

const NUM = String.raw`\d{1,3}(?:[ \u00a0\u202f.,'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?`;
const MULT = String.raw`(?:\s?(?:k|K|M|Mio|mio|millions?(?:\s+d['’])?|mille))?`;
const CUR_BEFORE = String.raw`(?:US\$|C\$|€|\$|£|CHF|EUR|USD|GBP)`;
const CUR_AFTER = String.raw`(?:€|EUR|[eE]uros?|\$|USD|dollars|£|GBP|pounds|CHF)`;
const METRE_UNITS = String.raw`m\s?[²2](?!\d)|m[eè]tres?\s+carr[ée]s|sq\.?\s?m\b\.?|sqm\b|square\s+met(?:er|re)s`;
const FOOT_UNITS = String.raw`ft\.?\s?[²2]|sq\.?\s?f(?:ee)?t\b\.?|sqft\b|square\s+f(?:ee|oo)t`;
const NUMBER_WORD =
  'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix';
const TITLE = String.raw`(?:M\.|Mme\.?|Mlle\.?|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?|Madame|Monsieur|Mademoiselle)`;
const NAME_WORD = String.raw`(?:\p{Lu}[\p{L}'’-]*\.?|d['’]\p{Lu}\p{L}+|de|du|des|van|von|der|le|la|di|da|dos)`;
const NAME = String.raw`\p{Lu}[\p{L}'’-]*\.?(?:[ \t]+${NAME_WORD}){0,3}`;
/** Two first names before the family name: "Tom & Linda Baxter", "Jean et Marie Dupont". */
const PARTNERS = String.raw`\p{Lu}[\p{L}'’-]*[ \t]+(?:&|et|and)[ \t]+(?=\p{Lu})`;

/** `contact` → `[cC][oO]…`: case-insensitive words inside an otherwise case-sensitive pattern. */
function anyCase(words: string): string {
  return words.replace(/\p{L}/gu, (c) =>
    c.toLowerCase() === c.toUpperCase() ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`,
  );
}

const OWNER_CUES = anyCase(
  "contact|renseignements|propriétaire|proprietaire|propriétaires|owners?|vendeur|vendeuse|sellers?|agent|interlocuteur|interlocutrice|contactez|contacter|call|appelez|appeler|ask for|demandez|s'adresser à|listed by|référent|with|avec|auprès de",
);
/** A title, or a couple's titles ("M. et Mme", "Mr. and Mrs."). */
const COUPLE = String.raw`${TITLE}(?:[ \t]+(?:et|and|&)[ \t]+${TITLE})?`;

/** Words that look like names but close a name: "Mimi LASOURIS Tél", "John Smith Agency". */
const NOT_NAME =
  /^(?:t[ée]l\.?|tel|t[ée]l[ée]phone|phone|mobile|portable|port\.?|cell|email|e-mail|mail|fax|agence|agency|immobilier|realty|properties|real|estate|group|ref\.?|r[ée]f\.?|prix|price|visite|visites|viewing|contact|sur|on|at|au|chez|for|pour|ou|or|et|and|rdv|appt|from|notaire|notary)$/i;
const AGENCY =
  /\b(?:agence|agency|immobili[eè]re?|realty|realtors?|properties|estate|sotheby|century|foncia|orpi|laforêt|iad|group|homes|sarl|sas|inc|llc|ltd)\b/i;

const RULES: Rule[] = [
  {
    label: 'PRICE',
    pattern: new RegExp(String.raw`${CUR_BEFORE}\s?(?:${NUM})${MULT}(?![\d\p{L}])`, 'gu'),
    base: 0.5,
  },
  {
    label: 'PRICE',
    pattern: new RegExp(String.raw`(?<![\d.,])(?:${NUM})${MULT}\s?${CUR_AFTER}(?![\p{L}])`, 'gu'),
    base: 0.5,
  },
  {
    label: 'SURFACE',
    pattern: new RegExp(String.raw`(?<![\d.,])(?:${NUM})\s?(?:${METRE_UNITS}|${FOOT_UNITS})`, 'giu'),
    base: 0.5,
  },
  {
    label: 'YEAR',
    // Not a surface or an amount: "1690 sqft", "2000 €".
    pattern:
      /(?<![\d/.\-–,])(?:1[6-9]\d\d|20[0-3]\d)(?![\d/\-–]|[.,]\d|\s?(?:m[²2]|sq|ft|€|\$|k€|euros?|EUR|USD|mètres|square|acres?)(?![\p{L}]))/gu,
    base: 0.25,
  },
  { label: 'ROOMS', pattern: /(?<![\p{L}\d-])[TF]\s?\d{1,2}(?![\p{L}\d])/gu, base: 0.65 },
  {
    label: 'ROOMS',
    pattern: new RegExp(
      String.raw`(?<![\p{L}\d])(?:\d{1,2}|${NUMBER_WORD})[\s-]?(?:pi[eè]ces?|p\.|p\b|rooms?|pcs\b)(?![\p{L}])`,
      'giu',
    ),
    base: 0.65,
  },
  { label: 'ROOMS', pattern: /\bstudio\b/giu, base: 0.35 },
  // "type 2", "Type 3": the French flat-type code written out.
  { label: 'ROOMS', pattern: /(?<![\p{L}])[tT]ype\s?\d{1,2}(?![\p{L}\d])/gu, base: 0.6 },
  {
    label: 'PHONE',
    pattern: /(?<![\d+])(?:(?:\+|00)33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)/g,
    base: 0.6,
  },
  {
    label: 'PHONE',
    pattern: /(?<![\d+])(?:\+1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)/g,
    base: 0.6,
  },
  {
    label: 'PHONE',
    pattern: /(?<![\d+])(?:\+44\s?(?:\(0\)\s?)?|0)\d{2,4}\s?\d{3,4}\s?\d{3,4}(?!\d)/g,
    base: 0.5,
  },
  {
    label: 'REF',
    pattern:
      /(?:r[ée]f(?:[ée]rence)?|reference|mandat(?:\s+n[°o])?|listing\s*(?:id|#|no\.?|number)|mls\s*(?:#|no\.?|number)?|annonce\s+n[°o]|dossier|property\s+(?:id|#))\.?\s*(?:n[°o]\.?|#|:)?\s*[:#]?\s*(?<v>[A-Z0-9][A-Z0-9\-/_]*\d[A-Z0-9\-/_]*|\d[A-Z0-9\-/_]*)/giu,
    base: 0.85,
  },
  {
    label: 'OWNER',
    // Case-insensitive cue, case-sensitive name: a name starts with a capital.
    pattern: new RegExp(
      String.raw`(?<![\p{L}])(?<!net )(?:${OWNER_CUES})(?![\p{L}])[ \t]*(?:\([^)\n]*\))?[ \t]*[:\-–,]?[ \t]*(?:${COUPLE}[ \t]+)?(?<v>(?:${PARTNERS})?${NAME})`,
      'gu',
    ),
    base: 0.7,
    reject: (value) => AGENCY.test(value),
  },
  {
    label: 'OWNER',
    pattern: new RegExp(String.raw`(?<![\p{L}])${COUPLE}[ \t]+(?<v>${NAME})`, 'gu'),
    base: 0.55,
    reject: (value) => AGENCY.test(value),
  },
  {
    label: 'ROOMS',
    // "Pièces : 7", "Rooms: 9", "Nombre de pièces : 6": a label, then the bare number.
    pattern: /(?:pi[eè]ces|rooms|number of rooms)\s*:\s*(?<v>\d{1,2})(?!\d)/giu,
    base: 0.75,
  },
  {
    label: 'SURFACE',
    pattern: /(?:square footage|sq\.? ?ft\.?)\s*:\s*(?:\d{1,3}(?:[ ,.]\d{3})+|\d+)(?![\d.,]\d)/giu,
    base: 0.6,
  },
  {
    label: 'PHONE',
    // Other countries: +CC then digit groups.
    pattern: /(?<![\d+])\+(?!33|1[\s(.-]|44)\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?!\d)/g,
    base: 0.5,
  },
];

const CUES: Record<FieldLabel, Cue[]> = {
  PRICE: [
    {
      before:
        /(?:prix|price|asking|offered at|listed at|priced at|vendu|à vendre|for sale|montant|valeur|tarif|€\s*:|prix de vente|sale price)[^\n\d]{0,25}$/i,
      weight: 0.35,
    },
    {
      before:
        /(?:frais|fees?|honoraires|commission|charges|taxe|tax|hoa|copropri[ée]t[ée]|loyer|rent|deposit|d[ée]p[ôo]t|caution|travaux|budget|estim|[ée]conomie|save|r[ée]duit de|reduced by|was|ancien prix|dont)[^\n\d]{0,30}$/i,
      weight: -0.45,
    },
    {
      after:
        /^\s*(?:\/\s*(?:mois|month|mo|an|yr|year|week)|par\s+(?:mois|an)|per\s+(?:month|year|annum)|a\s+(?:month|year)|pcm|mensuel|annuel|de\s+(?:frais|charges|taxe)|in\s+(?:fees|taxes)|d['’]honoraires)/i,
      weight: -0.45,
    },
    {
      after: /^\s*(?:FAI|HAI|honoraires inclus|net vendeur|TTC|OBO|firm|negotiable|n[ée]gociable)/i,
      weight: 0.2,
    },
  ],
  SURFACE: [
    {
      before:
        /(?:surface|superficie|habitable|living area|floor area|interior|SHAB|carrez|total|d'environ|environ|approx\.?|about|de|of|sur|offers|offrant)[^\n\d]{0,20}$/i,
      weight: 0.2,
    },
    {
      before:
        // No comma in between: "4 bedrooms, 2,900 sq. ft." lists the surface after the bedrooms.
        /(?:terrain|jardin|parc|parcelle|land|lot|plot|yard|garden|grounds|terrasse|terrace|balcon|balcony|garage|cave|cellar|sous-sol|basement|s[ée]jour|salon|living room|cuisine|kitchen|chambres?|bedrooms?|suite|piscine|pool|grenier|attic|d[ée]pendance|outbuilding|annexe|parking)[^\n\d,;]{0,25}$/i,
      weight: -0.45,
    },
    {
      after:
        /^\s*(?:de\s+terrain|of\s+land|lot|plot|terrain|de\s+jardin|garden|de\s+terrasse|terrace|yard|de\s+d[ée]pendances?|outbuilding|de\s+combles?)/i,
      weight: -0.45,
    },
    { after: /^\s*(?:habitables?|hab\.?|living|loi carrez|carrez|of living space)/i, weight: 0.3 },
  ],
  YEAR: [
    {
      before:
        /(?:constru(?:it|ite|ction)|b[âa]ti(?:e|sse)?|built|build|year built|date de construction|datant de|ann[ée]e|erected|circa|vers|c\.)[^\n\d]{0,25}$/i,
      weight: 0.55,
    },
    {
      before:
        /(?:maison|house|villa|immeuble|building|home|r[ée]sidence|appartement|apartment|condo|loft|ferme|farmhouse|mas|long[èe]re|chalet|bastide)\s+(?:de|from|of|des ann[ée]es)\s*$/i,
      weight: 0.35,
    },
    {
      before:
        /(?:r[ée]nov[ée]e?s?|renovated|refait|refaite|updated|remodel(?:l?ed)?|dpe|disponible|available|libre|depuis|since|acquis|bought|purchased|vendu en|sold in|en date du|le|on|avant|before|jusqu|until|travaux|toiture|roof|cuisine|kitchen|in|march|april|june|janvier|juin|mai|ao[uû]t|septembre|juillet|mars|avril|octobre|novembre|d[ée]cembre|f[ée]vrier|[ée]t[ée]|summer|fall|spring|automne|printemps|hiver|winter)\s*:?\s*$/i,
      weight: -0.3,
    },
    { before: /(?:\(|c\.|ca\.)\s*$/i, weight: 0.05 },
  ],
  ROOMS: [
    { before: /(?:pi[eè]ces|rooms|type|appartement|apartment|flat)\s*:?\s*$/i, weight: 0.15 },
    { before: /(?:dont|including|of which|avec)\s*$/i, weight: -0.2 },
  ],
  OWNER: [{ before: /(?:agence|agency|office|bureau|notaire|notary)[^\n]{0,10}$/i, weight: -0.3 }],
  PHONE: [
    {
      before:
        /(?:t[ée]l|tel|phone|portable|mobile|cell|call|appel|contact|joindre|☎|📞|ligne directe|direct|whatsapp|text)[^\n\d]{0,25}$/i,
      weight: 0.2,
    },
    {
      before:
        /(?:agence|agency|office|bureau|fax|standard|si[eè]ge|accueil|main line|reception|switchboard|notaire|notary|syndic)[^\n\d]{0,30}$/i,
      weight: -0.35,
    },
  ],
  REF: [],
};

const CONTEXT_CHARS = 40;

/** Widens `[start, end)` to the tokens it touches, so rule spans line up with tagger spans. */
function snapper(text: string): (start: number, end: number) => [number, number] {
  const tokens = tokenize(text);
  return (start, end) => {
    let s = start;
    let e = end;
    for (const token of tokens) {
      if (token.end <= start) continue;
      if (token.start >= end) break;
      s = Math.min(s, token.start);
      e = Math.max(e, token.end);
    }
    return [s, e];
  };
}

function cutName(value: string): string {
  const words = value.split(/[ \t]+/);
  const kept: string[] = [];
  for (const [i, word] of words.entries()) {
    // "Tom & Linda Baxter": the connector after a first name joins partners, it does not end the name.
    const partners = i === 1 && /^(?:&|et|and)$/.test(word) && /^\p{Lu}/u.test(words[2] ?? '');
    if (!partners && NOT_NAME.test(word)) break;
    kept.push(word);
  }
  // A trailing particle ("Jean de") is not a name's end.
  while (kept.length > 0 && /^(?:de|du|des|van|von|der|le|la|di|da|dos)$/.test(kept[kept.length - 1]!)) {
    kept.pop();
  }
  return kept.join(' ').replace(/[.,]$/, (dot) => (/\b\p{Lu}\.$/u.test(kept.join(' ')) ? dot : ''));
}

/**
 * Every place in `text` that a rule reads as a field value, with a 0–1 confidence. Overlapping
 * matches of the same field keep the best; different fields may overlap (the model decides).
 */
export function findRuleCandidates(text: string): Candidate[] {
  const snap = snapper(text);
  const found: Candidate[] = [];
  for (const rule of RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      let valueText = match.groups?.v ?? match[0];
      const valueStart = match.index + (match.groups?.v === undefined ? 0 : match[0].lastIndexOf(valueText));
      if (rule.label === 'OWNER') valueText = cutName(valueText);
      if (valueText.trim().length === 0) continue;
      const before = text.slice(Math.max(0, match.index - CONTEXT_CHARS), match.index);
      // A unit's period ("sq m.") may end the sentence: the context after starts with it.
      const valueEnd = valueStart + valueText.length - (valueText.endsWith('.') ? 1 : 0);
      const after = text.slice(valueEnd, valueEnd + CONTEXT_CHARS);
      if (rule.reject?.(valueText, before, after)) continue;
      const [start, end] = snap(valueStart, valueStart + valueText.length);
      const context = CUES[rule.label].reduce((sum, cue) => {
        const hit = (cue.before?.test(before) ?? true) && (cue.after?.test(after) ?? true);
        return hit ? sum + cue.weight : sum;
      }, 0);
      const score = rule.base + context;
      found.push({
        label: rule.label,
        start,
        end,
        text: text.slice(start, end),
        confidence: Math.min(0.99, Math.max(0.01, score)),
        source: 'rules',
        context,
      });
    }
  }
  return withoutOverlaps(found);
}

function withoutOverlaps(candidates: Candidate[]): Candidate[] {
  const byScore = [...candidates].sort(
    (a, b) => b.confidence - a.confidence || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const kept: Candidate[] = [];
  for (const candidate of byScore) {
    const clash = kept.some(
      (k) => k.label === candidate.label && k.start < candidate.end && candidate.start < k.end,
    );
    if (!clash) kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start || a.label.localeCompare(b.label));
}
