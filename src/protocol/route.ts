import type { HttpRequestParts } from '../util/sigv4.js';
import { QUERY_SERVICES, type QueryServiceName } from './query/pipeline.js';

const SCOPE_SERVICE = /Credential=[^/,\s]+\/[^/,\s]*\/[^/,\s]*\/([^/,\s]+)\//;
const VERSION = /(?:^|&)Version=([^&]*)/;

/**
 * Which service a request on Trent's one endpoint is for, decided before any codec reads it: the SigV4 credential
 * scope's service (`iam`, `sts`); an unsigned request (dev) by the API version its form parameters name; KMS
 * otherwise, whose pipeline answers anything it cannot route.
 */
export function serviceOf(req: HttpRequestParts): 'kms' | QueryServiceName {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const service = SCOPE_SERVICE.exec(auth)?.[1];
    return service === 'iam' || service === 'sts' ? service : 'kms';
  }
  const contentType = req.headers['content-type'];
  if (auth === undefined && typeof contentType === 'string' && contentType.startsWith('application/x-www-form-urlencoded')) {
    const version = VERSION.exec(req.body.toString('latin1'))?.[1];
    for (const [name, model] of Object.entries(QUERY_SERVICES)) if (model.apiVersion === version) return name as QueryServiceName;
  }
  return 'kms';
}
