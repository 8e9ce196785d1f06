import { KmsError } from '../model/errors.js';

/**
 * Ends a DryRun request once every check the real request would make has passed, before it has any effect
 * or returns any secret: AWS's answer is this error, never a result (recorded text).
 */
export function stopIfDryRun(dryRun: boolean | undefined): void {
  if (dryRun) {
    throw new KmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
  }
}
