/** Compiled patterns: a key policy's few patterns are matched on every request that uses the key. */
const compiled = new Map<string, RegExp>();
const MAX_PATTERNS = 4096;

/** IAM wildcard match: `*` any run of characters, `?` one; the whole value must match. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === '*') return true; // the default key policy's Resource, on every request
  const id = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = compiled.get(id);
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`,
      ignoreCase ? 'is' : 's');
    if (compiled.size >= MAX_PATTERNS) compiled.clear();
    compiled.set(id, re);
  }
  return re.test(value);
}
