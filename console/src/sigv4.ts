/**
 * AWS Signature Version 4 in the browser, with WebCrypto: what the AWS SDKs do, for the few requests the console
 * sends (POST / with a body). The secret key never leaves this tab: only the signature derived from it is sent.
 */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SignInput {
  readonly host: string;
  readonly region: string;
  readonly service: string;
  /** Headers to send and sign (lower-case names); host, x-amz-date and x-amz-content-sha256 are added. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly credentials: Credentials;
  readonly now?: Date;
}

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256(data: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(data)));
}

async function hmac(key: BufferSource, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', k, encoder.encode(data));
}

/** 20240101T000000Z: ISO 8601 basic, as SigV4 wants it. */
function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * The headers to send for a POST to `/`: the given ones plus x-amz-date, x-amz-content-sha256 and Authorization.
 * Host is signed but not returned (the browser sends it, and it is the page's own host).
 */
export async function signedHeaders(input: SignInput): Promise<Record<string, string>> {
  const date = amzDate(input.now ?? new Date());
  const day = date.slice(0, 8);
  const payloadHash = await sha256(input.body);
  const headers: Record<string, string> = {
    ...input.headers, host: input.host, 'x-amz-date': date, 'x-amz-content-sha256': payloadHash,
  };
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signed = names.join(';');
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signed, payloadHash].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, await sha256(canonicalRequest)].join('\n');
  let key = await hmac(encoder.encode(`AWS4${input.credentials.secretAccessKey}`), day);
  for (const part of [input.region, input.service, 'aws4_request']) key = await hmac(key, part);
  const signature = hex(await hmac(key, stringToSign));
  const { host: _host, ...sent } = headers;
  return {
    ...sent,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
  };
}
