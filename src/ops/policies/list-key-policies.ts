import type { Handler } from '../context.js';
import { decodeMarker, pageLimit, toPage } from '../paginate.js';
import { resolveKey } from '../resolve.js';
import { POLICY_NAME } from './key-policy-rules.js';

/** ListKeyPolicies: always the one name `default`, paginated like every list (Limit 1–1000, default 100). */
export const listKeyPolicies: Handler<'ListKeyPolicies'> = async (input, ctx) => {
  const limit = pageLimit(input.Limit);
  const after = decodeMarker('ListKeyPolicies', input.Marker);
  await resolveKey(ctx, 'ListKeyPolicies', input.KeyId, { aliases: false });
  const names = [POLICY_NAME].filter((n) => after === undefined || n > after);
  const page = toPage('ListKeyPolicies', names, limit, (n) => n);
  return { PolicyNames: page.items, NextMarker: page.nextMarker, Truncated: page.truncated };
};
