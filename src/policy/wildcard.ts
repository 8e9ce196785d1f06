/**
 * IAM wildcard match: `*` any run of characters (none included), `?` exactly one; the whole value must match.
 *
 * No regular expression: the pattern comes from a policy its key's owner writes and the value from a request
 * (an encryption context value may be nearly a megabyte), and a backtracking matcher lets `*a*a*a*a*b`
 * hold a worker for seconds. Here the pattern splits at its stars into segments: the first must start the
 * value, the last must end it, and each one between is taken at its leftmost place after the one before
 * (a later place only leaves less room for the rest, so leftmost never loses a match). Nothing is tried twice:
 * a segment without `?` is found by String#indexOf (linear in V8), one with `?` by a bit-parallel search
 * (below), so the worst case is O(value × pattern / 32), never exponential.
 */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === '*') return true; // the default key policy's Resource, on every request
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let star = p.indexOf('*');
  if (star < 0) return v.length === p.length && matchesAt(p, 0, p.length, v, 0);
  const lastStar = p.lastIndexOf('*');
  const end = v.length - (p.length - lastStar - 1); // where the last segment starts in the value
  if (end < star || !matchesAt(p, 0, star, v, 0) || !matchesAt(p, lastStar + 1, p.length, v, end)) return false;
  let from = star;
  while (star < lastStar) {
    const next = p.indexOf('*', star + 1);
    const segment = p.slice(star + 1, next);
    const at = find(segment, v, from);
    if (at < 0 || at + segment.length > end) return false;
    from = at + segment.length;
    star = next;
  }
  return true;
}

/** Whether pattern[start..stop) (which may hold `?`, no `*`) matches `value` at `at`. */
function matchesAt(pattern: string, start: number, stop: number, value: string, at: number): boolean {
  for (let i = start; i < stop; i++) {
    const c = pattern.charCodeAt(i);
    if (c !== QUESTION_MARK && c !== value.charCodeAt(at + i - start)) return false;
  }
  return true;
}

const QUESTION_MARK = 0x3f;

/**
 * The leftmost place at or after `from` where `segment` matches, or -1. A segment with `?` is searched for
 * bit-parallel (shift-and): bit i of `state` says whether segment[0..i] matches the value's characters ending
 * at the current one, all of them advanced together per character, so a place is never compared twice and
 * the cost is O(value × ⌈segment / 32⌉) where comparing at each place would be O(value × segment).
 */
function find(segment: string, value: string, from: number): number {
  if (!segment.includes('?')) return value.indexOf(segment, from);
  const words = (segment.length + 31) >>> 5;
  // masks.get(c): the positions holding c or `?`; anyChar: those holding `?`, for characters not in the segment.
  const anyChar = new Uint32Array(words);
  const masks = new Map<number, Uint32Array>();
  for (let i = 0; i < segment.length; i++) {
    if (segment.charCodeAt(i) === QUESTION_MARK) anyChar[i >>> 5]! |= 1 << (i & 31);
  }
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c === QUESTION_MARK) continue;
    let mask = masks.get(c);
    if (!mask) masks.set(c, mask = anyChar.slice());
    mask[i >>> 5]! |= 1 << (i & 31);
  }
  const state = new Uint32Array(words);
  const lastWord = words - 1;
  const lastBit = 1 << ((segment.length - 1) & 31);
  for (let at = from; at < value.length; at++) {
    const mask = masks.get(value.charCodeAt(at)) ?? anyChar;
    for (let w = lastWord; w > 0; w--) state[w] = ((state[w]! << 1) | (state[w - 1]! >>> 31)) & mask[w]!;
    state[0] = ((state[0]! << 1) | 1) & mask[0]!;
    if (state[lastWord]! & lastBit) return at - segment.length + 1;
  }
  return -1;
}
