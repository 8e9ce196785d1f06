import { createCipheriv, createHmac, hash, timingSafeEqual } from 'node:crypto';
import { publicRandomBytes } from '../src/util/random.js';
import { signingKey, type Credentials } from '../src/util/sigv4.js';

/** The request headers the floor reads, by lower-case name. */
export type FloorHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The least work an audited Encrypt needs, whatever the implementation: SigV4 checked, the plaintext sealed
 * under a per-message key, a response body, and a CloudTrail-sized event for the trail. Written with Node's own
 * primitives (and the CSPRNG pool Trent draws nonces from), and none of Trent's pipeline: no authorization, key
 * lookup, model validation or request log. Shared by bench/floor.ts (in-process, step by step) and
 * bench/floor-server.ts (behind the same node:http server as the bare ceiling).
 */
export class FloorWork {
  private readonly material = publicRandomBytes(32);
  private readonly signingKeys = new Map<string, Buffer>();
  private sequence = 0;
  private readonly keyArn: string;

  constructor(private readonly credentials: Credentials, private readonly region: string) {
    this.keyArn = `arn:aws:kms:${region}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  }

  /** Throws unless the request's SigV4 signature (a POST to `/`, its signed headers, its body) verifies. */
  verify(headers: FloorHeaders, body: Buffer): void {
    const auth = String(headers.authorization);
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)![1]!;
    const signature = /Signature=([0-9a-f]{64})/.exec(auth)![1]!;
    let canonical = 'POST\n/\n\n';
    for (const name of signedHeaders.split(';')) canonical += `${name}:${String(headers[name]).trim()}\n`;
    canonical += `\n${signedHeaders}\n${hash('sha256', body)}`;
    const amzDate = String(headers['x-amz-date']);
    const date = amzDate.slice(0, 8);
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${date}/${this.region}/kms/aws4_request\n${hash('sha256', canonical)}`;
    const expected = createHmac('sha256', this.signingKey(date)).update(toSign).digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) throw new Error('the signature does not verify');
  }

  /** The body's plaintext, sealed as Trent seals it: nonce, AES-256-GCM under HMAC(material, nonce), tag. */
  encrypt(body: Buffer): Buffer {
    const plaintext = Buffer.from((JSON.parse(body.toString()) as { Plaintext: string }).Plaintext, 'base64');
    const nonce = publicRandomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', createHmac('sha256', this.material).update(nonce).digest(), nonce);
    return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  respond(ciphertext: Buffer): Buffer {
    return Buffer.from(`{"CiphertextBlob":"${ciphertext.toString('base64')}","KeyId":"${this.keyArn}","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}`);
  }

  /** One line of the trail, about the size of Trent's Encrypt event (~1.1 KB), filled into a template. */
  auditEvent(): string {
    const id = `${(this.sequence++).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    return `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/bench",` +
      `"accountId":"111122223333","accessKeyId":"${this.credentials.accessKeyId}","userName":"bench"},"eventTime":"${new Date().toISOString()}",` +
      `"eventSource":"kms.amazonaws.com","eventName":"Encrypt","awsRegion":"${this.region}","sourceIPAddress":"127.0.0.1",` +
      `"userAgent":"bench","requestParameters":{"keyId":"${this.keyArn}","encryptionAlgorithm":"SYMMETRIC_DEFAULT"},"responseElements":null,` +
      `"requestID":"${id}","eventID":"${id}","readOnly":true,"resources":[{"accountId":"111122223333","type":"AWS::KMS::Key",` +
      `"ARN":"${this.keyArn}"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333",` +
      `"eventCategory":"Management","tlsDetails":null,"additionalEventData":null,"apiVersion":"2014-11-01",` +
      `"padding":"${'p'.repeat(300)}"}\n`;
  }

  /** Derived once per day, as any verifier caches it. */
  private signingKey(date: string): Buffer {
    let key = this.signingKeys.get(date);
    if (!key) this.signingKeys.set(date, key = signingKey(this.credentials.secretAccessKey, date, this.region, 'kms'));
    return key;
  }
}
