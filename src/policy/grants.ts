/**
 * Grants as an authorization input (pure): whether a grant permits an operation with a request's encryption
 * context, and whether a new grant's constraints are at least as strict as the grant it is made under.
 *
 * Constraint case rules are AWS's (GrantConstraints): a pair's key matches without case, its value with case.
 * A request may hold several entries whose keys differ only by case; every one of them must carry the
 * constraint's value, so a grant never allows a context in which some spelling of the key says otherwise.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

export interface GrantConstraintSet {
  readonly encryptionContextSubset?: EncryptionContext | undefined;
  readonly encryptionContextEquals?: EncryptionContext | undefined;
}

export interface GrantTerms {
  readonly operations: readonly string[];
  readonly constraints?: GrantConstraintSet | undefined;
}

/**
 * Whether `grant` allows `operation` (a GrantOperation name: Encrypt, ReEncryptFrom…). `context` is the
 * request's encryption context where constraints apply (cryptographic operations on symmetric encryption
 * keys), or 'not-applicable' where they do not (DescribeKey, RetireGrant, asymmetric keys…).
 */
export function grantPermits(grant: GrantTerms, operation: string, context: EncryptionContext | undefined | 'not-applicable'): boolean {
  if (!grant.operations.includes(operation)) return false;
  return context === 'not-applicable' || !grant.constraints || satisfies(context ?? {}, grant.constraints);
}

function satisfies(request: EncryptionContext, constraints: GrantConstraintSet): boolean {
  const { encryptionContextSubset: subset, encryptionContextEquals: equals } = constraints;
  if (subset && !includesAll(request, subset)) return false;
  if (equals && !(includesAll(request, equals) && Object.keys(request).every((k) => hasKey(equals, k)))) return false;
  return true;
}

/** Whether every pair of `required` is in `request`: its key under any case, each such entry with the exact value. */
function includesAll(request: EncryptionContext, required: EncryptionContext): boolean {
  return Object.entries(required).every(([key, value]) => {
    const values = valuesOf(request, key);
    return values.length > 0 && values.every((v) => v === value);
  });
}

function valuesOf(context: EncryptionContext, key: string): string[] {
  const wanted = key.toLowerCase();
  return Object.entries(context).filter(([k]) => k.toLowerCase() === wanted).map(([, v]) => v);
}

function hasKey(context: EncryptionContext, key: string): boolean {
  return valuesOf(context, key).length > 0;
}

/**
 * Whether a grant with `child` terms may be made by a grantee whose permission comes from `parent` (a grant
 * allowing CreateGrant): no operation the parent does not allow, and constraints such that any context the
 * child accepts the parent accepts too.
 */
export function grantWithin(child: GrantTerms, parent: GrantTerms): boolean {
  if (!child.operations.every((op) => parent.operations.includes(op))) return false;
  const p = parent.constraints;
  if (!p || (!p.encryptionContextSubset && !p.encryptionContextEquals)) return true;
  const c = child.constraints;
  // The contexts the child accepts: exactly `equals`, or anything containing `subset`.
  if (c?.encryptionContextEquals) return satisfies(c.encryptionContextEquals, p);
  if (c?.encryptionContextSubset && !p.encryptionContextEquals) {
    return includesAll(c.encryptionContextSubset, p.encryptionContextSubset!);
  }
  return false;
}
