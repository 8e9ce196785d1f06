import { KmsError } from '../model/errors.js';
import type { OperationName } from '../model/types.gen.js';
import type { KeyRecord } from '../store/types.js';
import { arnOf } from '../util/arn.js';
import type { Handler, OpContext } from './context.js';
import { checkKeyState } from './key-state.js';
import { resolveKey } from './resolve.js';

/**
 * Operations a later stage implements. The pipeline has validated the request already; on top of that the
 * key the request names is resolved and admitted as the real operation will (not found, authorization, key
 * state, and the preconditions AWS checks before acting), so a client sees AWS's error for every request AWS
 * refuses, and "not implemented yet" only for one AWS would carry out.
 */
export function notYetImplemented<Op extends OperationName>(op: Op, check?: KeyCheck): Handler<Op> {
  return async (input, ctx) => {
    const keyId = (input as { KeyId?: string }).KeyId;
    if (keyId !== undefined) await admitKey(ctx, op, keyId, check);
    throw new KmsError('UnsupportedOperationException', `Trent does not implement ${op} yet.`);
  };
}

/** What an operation requires of its key beyond the key-state table, and whether AWS checks it first. */
interface KeyCheck {
  readonly require: (key: KeyRecord) => void;
  readonly beforeKeyState: boolean;
}

async function admitKey(ctx: OpContext, op: OperationName, keyId: string, check?: KeyCheck): Promise<void> {
  const anyState = check?.beforeKeyState ?? false;
  const key = await resolveKey(ctx, { op, anyState }, keyId, { aliases: false });
  check?.require(key);
  if (anyState) checkKeyState(op, key.keyState, () => arnOf(key), key.origin);
}
