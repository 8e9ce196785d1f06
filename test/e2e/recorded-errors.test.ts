/**
 * Trent's errors held to the responses recorded from AWS (../shared/reference/aws-recorded), as botocore parses
 * them: the code, the message, and whether the body had a `message` member at all (botocore lifts a modeled
 * error's `message` to the top level of the response; AWS sends none when it has nothing to say).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SHARED, useTrent } from '../support/trent.js';

const SNAPSHOT = join(SHARED, 'reference', 'aws-recorded', 'localstack-kms.snapshot.json');
const RECORDED_TEST = 'tests/aws/services/kms/test_kms.py::TestKMS::';

/** Each case: the recorded test and response it reproduces, and the boto3 call that makes it here. */
const CASES: ReadonlyArray<{ recorded: string; response: string; python: string }> = [
  {
    recorded: 'test_sign_verify[ECC_NIST_P256-ECDSA_SHA_256]', response: 'bad-signature',
    python: `k = key(KeySpec='ECC_NIST_P256', KeyUsage='SIGN_VERIFY')
kms.verify(KeyId=k, Message=b'm', MessageType='RAW', Signature=b'0' * 64, SigningAlgorithm='ECDSA_SHA_256')`,
  },
  {
    recorded: 'test_invalid_verify_mac[HMAC_256-HMAC_SHA_256-some different important message]', response: 'verify-mac',
    python: `k = key(KeySpec='HMAC_256', KeyUsage='GENERATE_VERIFY_MAC')
mac = kms.generate_mac(KeyId=k, Message=b'some important message', MacAlgorithm='HMAC_SHA_256')['Mac']
kms.verify_mac(KeyId=k, Message=b'some different important message', MacAlgorithm='HMAC_SHA_256', Mac=mac)`,
  },
  {
    recorded: 'test_invalid_generate_mac[HMAC_256-INVALID]', response: 'generate-mac',
    python: `k = key(KeySpec='HMAC_256', KeyUsage='GENERATE_VERIFY_MAC')
kms.generate_mac(KeyId=k, Message=b'm', MacAlgorithm='INVALID')`,
  },
  {
    recorded: 'test_encrypt_decrypt_encryption_context', response: 'decrypt_response_without_encryption_context',
    python: `k = key()
blob = kms.encrypt(KeyId=k, Plaintext=b'p', EncryptionContext={'a': 'b'})['CiphertextBlob']
kms.decrypt(CiphertextBlob=blob)`,
  },
  {
    recorded: 'test_rotate_key_on_demand_raises_error_given_non_symmetric_key', response: 'error-response',
    python: `k = key(KeySpec='ECC_NIST_P256', KeyUsage='SIGN_VERIFY')
kms.rotate_key_on_demand(KeyId=k)`,
  },
  {
    recorded: 'test_rotate_key_on_demand_on_external_key_with_no_key_material[RSA_4096]',
    response: 'rotate-key-on-demand-error-response-RSA_4096',
    python: `k = key(KeySpec='RSA_4096', KeyUsage='SIGN_VERIFY', Origin='EXTERNAL')
kms.rotate_key_on_demand(KeyId=k)`,
  },
  {
    recorded: 'test_get_parameters_for_import_raises_for_non_external_kms_keys', response: 'get-import-parameters-error',
    python: `k = key()
kms.get_parameters_for_import(KeyId=k, WrappingAlgorithm='RSAES_OAEP_SHA_256', WrappingKeySpec='RSA_2048')`,
  },
  {
    recorded: 'test_import_key_symmetric', response: 'import-expiring-key-without-valid-to',
    python: `k = key(Origin='EXTERNAL')
kms.import_key_material(KeyId=k, ImportToken=b't', EncryptedKeyMaterial=b'm', ExpirationModel='KEY_MATERIAL_EXPIRES')`,
  },
  {
    recorded: 'test_rotate_key_on_demand_raises_for_no_pending_key_material', response: 'rotate-key-on-demand-invalid-state-error',
    python: `import os, shutil, subprocess, tempfile
k = key(Origin='EXTERNAL')
p = kms.get_parameters_for_import(KeyId=k, WrappingAlgorithm='RSAES_OAEP_SHA_256', WrappingKeySpec='RSA_2048')
d = tempfile.mkdtemp()
open(d + '/wrapping.der', 'wb').write(p['PublicKey'])
open(d + '/material.bin', 'wb').write(os.urandom(32))
wrapped = subprocess.run(['openssl', 'pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', d + '/wrapping.der',
    '-in', d + '/material.bin', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256',
    '-pkeyopt', 'rsa_mgf1_md:sha256'], check=True, capture_output=True).stdout
shutil.rmtree(d)
kms.import_key_material(KeyId=k, ImportToken=p['ImportToken'], EncryptedKeyMaterial=wrapped, ExpirationModel='KEY_MATERIAL_DOES_NOT_EXPIRE')
kms.rotate_key_on_demand(KeyId=k)`,
  },
  {
    recorded: 'test_derive_shared_secret', response: 'response-invalid-key-agreement-algo',
    python: `k = key(KeySpec='ECC_NIST_P256', KeyUsage='KEY_AGREEMENT')
kms.derive_shared_secret(KeyId=k, KeyAgreementAlgorithm='INVALID', PublicKey=b'k')`,
  },
  {
    recorded: 'test_derive_shared_secret', response: 'response-invalid-public-key',
    python: `k = key(KeySpec='ECC_NIST_P256', KeyUsage='KEY_AGREEMENT')
kms.derive_shared_secret(KeyId=k, KeyAgreementAlgorithm='ECDH', PublicKey=b'not a public key')`,
  },
];

/** Runs each case's calls with boto3; prints, per case, the key ARN used and the error as botocore saw it. */
const RUNNER = `
import boto3, botocore, json, sys
kms = boto3.client('kms', endpoint_url=sys.argv[1], region_name='us-east-1',
                   aws_access_key_id='test', aws_secret_access_key='test')
made = []
def key(**kw):
    made.append(kms.create_key(**kw)['KeyMetadata']['Arn'])
    return made[-1]
out = []
for source in json.loads(sys.argv[2]):
    made.clear()
    try:
        exec(source)
        out.append({'arn': made[-1] if made else None, 'error': None})
    except botocore.exceptions.ClientError as e:
        r = e.response
        out.append({'arn': made[-1] if made else None, 'error': {
            'Code': r['Error']['Code'], 'Message': r['Error']['Message'], 'topLevelMessage': 'message' in r,
            'status': r['ResponseMetadata']['HTTPStatusCode']}})
print(json.dumps(out))
`;

interface Recorded {
  Error: { Code: string; Message: string };
  message?: string;
  ResponseMetadata: { HTTPStatusCode: number };
}

describe('errors as AWS recorded them, through boto3', () => {
  const trent = useTrent();

  test('code, message and the presence of a message member match every recorded case', (t) => {
    if (!existsSync(SNAPSHOT)) return t.skip(`${SNAPSHOT} not found`);
    const snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, { 'recorded-content': Record<string, Recorded> }>;
    const results = JSON.parse(execFileSync('python3', ['-c', RUNNER, trent().endpoint, JSON.stringify(CASES.map((c) => c.python))],
      { encoding: 'utf8' })) as Array<{ arn: string | null; error: Record<string, unknown> | null }>;
    CASES.forEach((c, i) => {
      const recorded = snapshot[RECORDED_TEST + c.recorded]?.['recorded-content'][c.response];
      assert.ok(recorded, `${c.recorded} / ${c.response} is in the recording`);
      const { arn, error } = results[i]!;
      // The recording's placeholders stand for the key the case made.
      const message = recorded.Error.Message
        .replace('arn:<partition>:kms:<region>:111111111111:key/<key-id:1>', arn ?? '')
        .replace('<key-arn>', arn ?? '');
      assert.deepEqual(error, {
        Code: recorded.Error.Code, Message: message, topLevelMessage: 'message' in recorded,
        status: recorded.ResponseMetadata.HTTPStatusCode,
      }, `${c.recorded} / ${c.response}`);
    });
  });
});
