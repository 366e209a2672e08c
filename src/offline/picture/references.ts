import type { Landmark } from "./landmarks";

/**
 * Which landmarks a text names, found in one pass over the text: every landmark identifier (ARN, name,
 * URL, DNS name, address) is indexed once, and each text is cut into the candidate names it can hold,
 * which are looked up. This replaces searching every text for every identifier of every other landmark
 * (quadratic in the landmarks, and in the text length for each). The match rule is `containsToken`'s:
 * an identifier counts where it stands as a whole name, not inside a longer one (`orders` in `orders-dlq`).
 */
const NAME_CHAR = /[A-Za-z0-9_-]/;
/** Characters no identifier holds: they end a candidate run (quotes, spaces, JSON punctuation, escapes). */
const DELIMITER = /[\s"'`,{}[\]()\\=;<>|]/;

/** The two classes above for every UTF-16 code unit, looked up per character of a text (texts are long). */
const IS_NAME = new Uint8Array(0x10000);
const IS_DELIMITER = new Uint8Array(0x10000);
for (let code = 0; code < 0x10000; code += 1) {
  const c = String.fromCharCode(code);
  IS_NAME[code] = NAME_CHAR.test(c) ? 1 : 0;
  IS_DELIMITER[code] = DELIMITER.test(c) ? 1 : 0;
}

export class ReferenceIndex {
  private readonly byIdentifier = new Map<string, Landmark[]>();
  /** Identifiers holding a delimiter cannot be cut out of a text; they are searched for directly (rare). */
  private readonly irregular: Array<[string, Landmark]> = [];
  private readonly longest: number;
  /** Which lengths identifiers have: a candidate of another length is not cut out of the text at all. */
  private readonly lengths = new Set<number>();

  constructor(landmarks: readonly Landmark[]) {
    let longest = 0;
    for (const landmark of landmarks) {
      for (const id of landmark.identifiers) {
        if ([...id].some((c) => DELIMITER.test(c))) {
          this.irregular.push([id, landmark]);
          continue;
        }
        const list = this.byIdentifier.get(id) ?? [];
        if (!list.includes(landmark)) list.push(landmark);
        this.byIdentifier.set(id, list);
        this.lengths.add(id.length);
        longest = Math.max(longest, id.length);
      }
    }
    this.longest = longest;
  }

  /** The landmarks whose identifiers occur in `text` as whole names. */
  namedIn(text: string): Set<Landmark> {
    const found = new Set<Landmark>();
    const name = (i: number): boolean => i >= 0 && i < text.length && IS_NAME[text.charCodeAt(i)] === 1;
    let runStart = 0;
    for (let i = 0; i <= text.length; i += 1) {
      if (i < text.length && IS_DELIMITER[text.charCodeAt(i)] === 0) continue;
      this.scanRun(text, runStart, i, name, found);
      runStart = i + 1;
    }
    for (const [id, landmark] of this.irregular) if (!found.has(landmark) && containsToken(text, id)) found.add(landmark);
    return found;
  }

  /** Candidates in text[from, to): substrings that start after and end before a non-name character. */
  private scanRun(text: string, from: number, to: number, name: (i: number) => boolean, found: Set<Landmark>): void {
    if (to - from < 1) return;
    const ends: number[] = [];
    for (let j = from + 1; j <= to; j += 1) if (!name(j)) ends.push(j);
    let first = 0;
    for (let start = from; start < to; start += 1) {
      if (start > from && name(start - 1)) continue;
      while (first < ends.length && (ends[first] as number) <= start) first += 1;
      for (let k = first; k < ends.length; k += 1) {
        const end = ends[k] as number;
        if (end - start > this.longest) break;
        if (!this.lengths.has(end - start)) continue;
        for (const landmark of this.byIdentifier.get(text.slice(start, end)) ?? []) found.add(landmark);
      }
    }
  }
}

/** `token` occurs in `text` as a whole name: not inside a longer name (`orders` in `orders-dlq`). */
export function containsToken(text: string, token: string): boolean {
  const nameChar = (c: string | undefined): boolean => c !== undefined && NAME_CHAR.test(c);
  for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 1)) {
    if (!nameChar(text[at - 1]) && !nameChar(text[at + token.length])) return true;
  }
  return false;
}
