/**
 * How tagger spans and rule candidates are combined before a field's value is chosen.
 *
 * The tagger is good at finding values in wordings the rules never saw, the rules are good at a
 * value's exact extent and at reading the words around it. So:
 * - a model span that overlaps a rule candidate of the same field takes the rule's extent
 *   ("8832" → "8832-NC", "Garnier Téléphone" → "Garnier", "12390 —" → "12390");
 * - when the rule read that same place as a distractor (its context cues sum to a clear
 *   negative: "terrain de 640 m²", "frais d'agence : 25 000 €"), the model span is contradicted;
 * - a model span whose value is implausible for its field (a REF that is a time, a year or a
 *   plain number; a price below 1,000; a 4 m² surface) is demoted unless a rule agrees with it;
 * - a value found by both sources ranks first, then confident model spans, then rule matches,
 *   then unsure or contradicted model spans. Implausible unconfirmed values are not the field's
 *   values at all: they neither fill it nor show as its alternatives.
 */
import type { Candidate, FieldLabel, Normalized } from './fields';
import { normalizeField } from './normalize';

/** Rule context at or below this reads as "the words around say it is something else". */
export const CONTRADICTING_CONTEXT = -0.2;

/** A rule-confirmed or rule-contradicted model span, or a candidate as it came. */
export interface CombinedCandidate extends Candidate {
  /** Model spans only: a rule candidate of the same field overlapped and did not contradict it. */
  agreed?: boolean;
  /** Model spans only: a rule candidate overlapped it, but its context reads as a distractor. */
  contradicted?: boolean;
  /** The model span's own offsets before it was snapped to the rule's extent. */
  modelExtent?: { start: number; end: number };
}

const overlapLength = (a: Candidate, b: Candidate): number =>
  Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));

/**
 * Snaps each model candidate to the extent of the rule candidate of the same field that overlaps
 * it most, and marks it agreed or contradicted by that rule. Rule candidates are returned as they
 * are, after the model ones.
 */
export function alignModelToRules(
  text: string,
  model: readonly Candidate[],
  rules: readonly Candidate[],
): CombinedCandidate[] {
  const aligned = model.map((candidate): CombinedCandidate => {
    let best: Candidate | undefined;
    for (const rule of rules) {
      if (rule.label !== candidate.label) continue;
      const overlap = overlapLength(candidate, rule);
      if (overlap > 0 && (!best || overlap > overlapLength(candidate, best))) best = rule;
    }
    if (!best) return candidate;
    if ((best.context ?? 0) <= CONTRADICTING_CONTEXT) return { ...candidate, contradicted: true };
    // A model span that holds the rule's and more words keeps its extent when its own value is
    // plausible ("Tom & Linda Baxter" around a rule's "Tom"); otherwise the rule's extent fixes
    // the cut ("12390 —" → "12390", "Paul Garnier Téléphone" → "Paul Garnier").
    const contains = candidate.start <= best.start && candidate.end >= best.end;
    const extra = text.slice(candidate.start, best.start) + text.slice(best.end, candidate.end);
    if (contains && /[\p{L}\d]/u.test(extra) && plausibleAsIs(candidate))
      return { ...candidate, agreed: true };
    return {
      ...candidate,
      start: best.start,
      end: best.end,
      text: text.slice(best.start, best.end),
      agreed: true,
      modelExtent: { start: candidate.start, end: candidate.end },
    };
  });
  return [...aligned, ...rules];
}

const NUMBER_ONLY = /^\d{1,3}(?:[ .,]\d{3})+$|^\d+[.,]\d{1,2}$/;
const TIME = /^\d{1,2}\s?[hH:]\s?(?:\d{2})?$/;
const ORDINAL = /^\d+\s?(?:e|er|ère|ème|nd|rd|st|th)$/i;
const LOOKS_LIKE_YEAR = /^(?:1[6-9]|20)\d\d$/;
const UNIT_OR_CURRENCY = /[€$£²]|\b(?:m2|sq|ft|eur|usd|k)\b/i;
const AGENCY_WORD =
  /\b(?:agence|agency|immobili[eè]re?|realty|realtors?|properties|estate|notaire|notary|sarl|sas|inc|llc|ltd)\b/i;
/** Words a tagger may glue onto a name: contact labels and the like. */
const LABEL_WORD =
  /(?:^|\s)(?:t[ée]l\.?|tel|t[ée]l[ée]phone|phone|mobile|portable|cell|gsm|sms|whatsapp|ligne|direct|email|e-mail|fax|contact|visite|visites)(?:\s|$)/i;
/** Connectors and particles that are never a whole name. */
const NOT_A_NAME = /^(?:et|and|&|ou|or|de|du|des|la|le|les|the|van|von|der|di|da)$/i;

const THIS_YEAR = new Date().getFullYear();

function plausibleAsIs(candidate: Candidate): boolean {
  const normalized = normalizeField(candidate.label, candidate.text);
  return normalized !== null && implausibility(candidate.label, candidate.text, normalized) === null;
}

/**
 * Why a normalized value cannot be this field's, or null when it is plausible. Only the
 * tagger's spans are checked: a rule already requires a cue ("Réf.", a currency, a unit).
 */
export function implausibility<L extends FieldLabel>(
  label: L,
  text: string,
  normalized: Normalized<L>,
): string | null {
  const value: unknown = normalized.value;
  switch (label) {
    case 'REF': {
      const code = normalized.display;
      if (/^\d{1,2}$/.test(code)) return 'too short for a reference';
      if (TIME.test(code)) return 'a time of day';
      if (ORDINAL.test(code)) return 'an ordinal (a floor)';
      if (LOOKS_LIKE_YEAR.test(code)) return 'a year';
      if (/^\d{4}s$/.test(code)) return 'a decade';
      if (NUMBER_ONLY.test(code)) return 'a number with separators';
      if (UNIT_OR_CURRENCY.test(text)) return 'an amount or an area';
      return null;
    }
    case 'PRICE':
      return (value as { amount: number }).amount < 1000 ? 'too small for a sale price' : null;
    case 'SURFACE': {
      const surface = value as { value: number; unit: string };
      if (normalized.warnings.some((w) => w.startsWith('no unit'))) return 'no unit written';
      const smallest = surface.unit === 'ft²' ? 80 : 8;
      return surface.value < smallest ? 'too small for a dwelling' : null;
    }
    case 'YEAR': {
      const year = value as number;
      return year < 1600 || year > THIS_YEAR + 3 ? 'not a building year' : null;
    }
    case 'ROOMS':
      return (value as number) > 30 ? 'too many rooms' : null;
    case 'OWNER': {
      const name = normalized.display;
      if (/\d/.test(name)) return 'a name has no digits';
      if (NOT_A_NAME.test(name)) return 'a connector or particle, not a name';
      if (AGENCY_WORD.test(name)) return 'an agency, not a person';
      if (LABEL_WORD.test(name)) return 'a contact label inside the name';
      return null;
    }
    default:
      return null;
  }
}

/** A candidate once normalized and checked, ready for ranking. */
export interface Assessed extends CombinedCandidate {
  display: string;
  value: unknown;
  warnings: string[];
  /** Why the value is implausible for the field (model spans only), or null. */
  implausible: string | null;
}

/** Tiers of a value, best first. `Implausible` is no value of the field: never shown, not even as an alternative. */
export const Tier = { Agreed: 0, ConfidentModel: 1, Rules: 2, UnsureModel: 3, Implausible: 4 } as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

/**
 * The tier of a group of candidates that read as the same value. A group holding a plausible,
 * uncontradicted model span and an uncontradicting rule match is agreed, wherever they sit.
 */
export function groupTier(members: readonly Assessed[], minModelConfidence: number): Tier {
  const model = members.filter((m) => m.source === 'model');
  const rules = members.filter((m) => m.source === 'rules');
  const plausibleModel = model.filter((m) => m.implausible === null && !m.contradicted);
  const supportingRule = rules.some((r) => (r.context ?? 0) > CONTRADICTING_CONTEXT);
  if (model.some((m) => m.agreed && m.implausible === null)) return Tier.Agreed;
  if (plausibleModel.length > 0 && supportingRule) return Tier.Agreed;
  if (plausibleModel.some((m) => m.confidence >= minModelConfidence)) return Tier.ConfidentModel;
  if (rules.length > 0) return Tier.Rules;
  if (plausibleModel.length > 0 || model.some((m) => m.contradicted && m.implausible === null)) {
    return Tier.UnsureModel;
  }
  return Tier.Implausible;
}

/** Confidence of a group: independent evidence from both sources adds up. */
export function groupConfidence(members: readonly Assessed[]): number {
  const best = (source: Candidate['source']): number =>
    Math.max(0, ...members.filter((m) => m.source === source && !m.contradicted).map((m) => m.confidence));
  const model = best('model');
  const rules = best('rules');
  if (model === 0 && rules === 0) return Math.max(0, ...members.map((m) => m.confidence));
  return 1 - (1 - model) * (1 - rules);
}
