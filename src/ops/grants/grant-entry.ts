import type { GrantConstraints, GrantListEntry } from '../../model/types.gen.js';
import type { GrantRecord } from '../../store/types.js';
import { arnOf } from '../../util/arn.js';

/** A grant as ListGrants and ListRetirableGrants show it (KeyId: the key's ARN, as AWS answers). */
export function grantEntry(g: GrantRecord): GrantListEntry {
  return {
    KeyId: arnOf(g),
    GrantId: g.grantId,
    Name: g.name,
    CreationDate: g.createdAt,
    GranteePrincipal: g.granteePrincipal,
    RetiringPrincipal: g.retiringPrincipal,
    IssuingAccount: g.issuingAccount,
    Operations: [...g.operations],
    Constraints: g.constraints && {
      EncryptionContextSubset: g.constraints.encryptionContextSubset,
      EncryptionContextEquals: g.constraints.encryptionContextEquals,
    },
  };
}

/** The stored form of a request's Constraints: absent when it constrains nothing. */
export function constraintsOf(c: GrantConstraints | undefined): GrantRecord['constraints'] {
  if (!c || (c.EncryptionContextSubset === undefined && c.EncryptionContextEquals === undefined)) return undefined;
  // Only the members given, so a stored grant (JSON keeps no undefined members) compares equal to a request's.
  return {
    ...(c.EncryptionContextSubset && { encryptionContextSubset: c.EncryptionContextSubset }),
    ...(c.EncryptionContextEquals && { encryptionContextEquals: c.EncryptionContextEquals }),
  };
}
