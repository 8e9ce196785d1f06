import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SHARED, useTrent } from '../support/trent.js';

const SEED_CHECKS = join(SHARED, 'conformance', 'seed-examples.py');
const CLI_ENV = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-west-2' };

describe('the seed examples and other clients', () => {
  const trent = useTrent();

  test('../shared/conformance/seed-examples.py passes every check with the AWS CLI', (t) => {
    if (!existsSync(SEED_CHECKS)) return t.skip(`${SEED_CHECKS} not found`);
    const out = execFileSync('python3', [SEED_CHECKS, '--endpoint', trent().endpoint, '--region', 'us-west-2'],
      { env: CLI_ENV, encoding: 'utf8', timeout: 240_000 });
    assert.match(out, /^\d+ passed, 0 failed$/m, out);
  });

  test('boto3 creates, describes by ID and ARN, and pages through ListKeys', () => {
    const script = `
import boto3, json, sys
kms = boto3.client('kms', endpoint_url=sys.argv[1], region_name='eu-north-1')
made = [kms.create_key(KeySpec='ECC_NIST_P384', KeyUsage='SIGN_VERIFY')['KeyMetadata'] for _ in range(3)]
for m in made:
    assert kms.describe_key(KeyId=m['KeyId'])['KeyMetadata'] == m
    assert kms.describe_key(KeyId=m['Arn'])['KeyMetadata'] == m
seen = []
for page in kms.get_paginator('list_keys').paginate(PaginationConfig={'PageSize': 2}):
    seen += [k['KeyId'] for k in page['Keys']]
assert sorted(seen) == sorted(m['KeyId'] for m in made), seen
print(json.dumps({'ok': len(seen)}))`;
    const out = execFileSync('python3', ['-c', script, trent().endpoint], { env: CLI_ENV, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { ok: 3 });
  });
});
