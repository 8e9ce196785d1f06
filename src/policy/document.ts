import { KmsError } from '../model/errors.js';

/** AWS's key policy size quota: 32 KB, counted in bytes, whatever the model's looser length limit says. */
export const MAX_POLICY_BYTES = 32_768;

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, unknown>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: readonly Statement[];
}

function malformed(message: string): KmsError {
  return new KmsError('MalformedPolicyDocumentException', message);
}

/**
 * Checks a key policy as CreateKey and PutKeyPolicy do: size first (LimitExceededException), then form
 * (MalformedPolicyDocumentException). Statements without Action or Resource are accepted, as AWS accepts
 * them (they have no effect); a statement without a principal is not, since key policies name principals.
 */
export function parsePolicy(text: string): PolicyDocument {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) {
    throw new KmsError('LimitExceededException', `Policy exceeds the maximum size of ${MAX_POLICY_BYTES} bytes.`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('The policy document is not valid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw malformed('The policy document must be a JSON object.');
  const d = doc as Record<string, unknown>;
  if (d.Version !== undefined && d.Version !== '2012-10-17' && d.Version !== '2008-10-17') {
    throw malformed(`Invalid policy version: ${String(d.Version)}`);
  }
  const raw = d.Statement;
  if (raw === undefined) throw malformed('Policy is missing required element - Statement');
  const statements = Array.isArray(raw) ? raw : [raw];
  if (statements.length === 0) throw malformed('Policy is missing required element - Statement');
  for (const s of statements) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) throw malformed('Policy contains an invalid statement');
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw malformed('Policy statement has an invalid Effect');
    if (st.Principal === undefined && st.NotPrincipal === undefined) {
      throw malformed('Policy contains a statement with no principal.');
    }
    for (const k of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
      const v = st[k];
      if (v !== undefined && typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
        throw malformed(`Policy statement has an invalid ${k}`);
      }
    }
  }
  return { ...(d as object), Statement: statements as Statement[] } as PolicyDocument;
}

/**
 * The default key policy AWS attaches when CreateKey gets none: the account's root principal may do
 * everything, which delegates access control to IAM. Formatted as AWS returns it from GetKeyPolicy.
 */
export function defaultKeyPolicy(partition: string, accountId: string): string {
  return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:${partition}:iam::${accountId}:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`;
}
