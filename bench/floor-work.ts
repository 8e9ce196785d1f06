import { randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalContext, seal, type BlobHeader } from '../src/keys/ciphertext.js';
import {
  canonicalRequest, computeSignature, credentialScope, sha256Hex, SigningKeys, stringToSign, type Credentials, type HttpRequestParts,
} from '../src/util/sigv4.js';

/** AWS's window for a request's time (x-amz-date) around the server's clock. */
const MAX_SKEW_MS = 5 * 60 * 1000;
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/kms\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * The least work an audited Encrypt needs, whatever the implementation: SigV4 checked, the plaintext sealed, a
 * response body, and a CloudTrail-sized event for the trail. It uses Trent's own SigV4 functions and blob format
 * (src/util/sigv4.ts, src/keys/ciphertext.ts) and none of its pipeline: no HTTP limits, authorization, key lookup,
 * model validation, request log or metrics. Shared by bench/floor.ts (in-process, step by step) and
 * bench/floor-server.ts (behind the same node:http server as the bare ceiling).
 */
export class FloorWork {
  private readonly material = randomBytes(32);
  private readonly blob: BlobHeader = {
    accountId: '111122223333', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', materialId: randomBytes(32).toString('hex'),
  };
  private readonly keyArn: string;
  private readonly signingKeys: SigningKeys;
  private sequence = 0;

  constructor(private readonly credentials: Credentials, private readonly region: string) {
    this.keyArn = `arn:aws:kms:${region}:${this.blob.accountId}:key/${this.blob.keyId}`;
    this.signingKeys = new SigningKeys(credentials.secretAccessKey);
  }

  /**
   * Throws unless the request is a POST signed for this floor's access key, Region and kms, within the time
   * window, with a signature that verifies over its signed headers and body.
   */
  verify(req: HttpRequestParts): void {
    const auth = AUTHORIZATION.exec(String(req.headers.authorization));
    const amzDate = String(req.headers['x-amz-date']);
    const time = AMZ_DATE.exec(amzDate);
    if (req.method !== 'POST' || !auth || !time || auth[1] !== this.credentials.accessKeyId || auth[3] !== this.region ||
      auth[2] !== amzDate.slice(0, 8)) throw new Error('not a request signed for this floor');
    const [year, month, day, hour, minute, second] = time.slice(1).map(Number) as [number, number, number, number, number, number];
    if (Math.abs(Date.UTC(year, month - 1, day, hour, minute, second) - Date.now()) > MAX_SKEW_MS) throw new Error('the request time is out of the window');
    const date = auth[2]!;
    const canonical = canonicalRequest(req, auth[4]!.split(';'), sha256Hex(req.body));
    const expected = computeSignature(this.signingKeys.for(date, this.region, 'kms'),
      stringToSign(amzDate, credentialScope(date, this.region, 'kms'), canonical));
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(auth[5]!))) throw new Error('the signature does not verify');
  }

  /** The body's plaintext sealed as Trent seals it (a blob under a per-message key), with its encryption context. */
  encrypt(body: Buffer): Buffer {
    const input = JSON.parse(body.toString()) as { Plaintext: string; EncryptionContext?: Record<string, string> };
    return seal(this.blob, this.material, Buffer.from(input.Plaintext, 'base64'), canonicalContext(input.EncryptionContext));
  }

  respond(ciphertext: Buffer): Buffer {
    return Buffer.from(`{"CiphertextBlob":"${ciphertext.toString('base64')}","KeyId":"${this.keyArn}","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}`);
  }

  /** One line of the trail, padded to the size of Trent's Encrypt event (~1.1 KB), filled into a template. */
  auditEvent(): string {
    const id = `${(this.sequence++).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    return `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/bench",` +
      `"accountId":"111122223333","accessKeyId":"${this.credentials.accessKeyId}","userName":"bench"},"eventTime":"${new Date().toISOString()}",` +
      `"eventSource":"kms.amazonaws.com","eventName":"Encrypt","awsRegion":"${this.region}","sourceIPAddress":"127.0.0.1",` +
      `"userAgent":"bench","requestParameters":{"keyId":"${this.keyArn}","encryptionAlgorithm":"SYMMETRIC_DEFAULT"},"responseElements":null,` +
      `"requestID":"${id}","eventID":"${id}","readOnly":true,"resources":[{"accountId":"111122223333","type":"AWS::KMS::Key",` +
      `"ARN":"${this.keyArn}"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333",` +
      `"eventCategory":"Management","tlsDetails":null,"additionalEventData":null,"apiVersion":"2014-11-01",` +
      `"padding":"${'p'.repeat(100)}"}\n`;
  }
}
