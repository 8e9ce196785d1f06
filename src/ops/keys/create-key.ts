import { givenMaterial } from '../../keys/import.js';
import { KEY_SPECS } from '../../keys/specs.js';
import { KmsError } from '../../model/errors.js';
import type { CreateKeyRequest, KeySpec, KeyUsageType, OriginType } from '../../model/types.gen.js';
import type { KeyRecord } from '../../store/types.js';
import { CUSTOM_KEY_MATERIAL_TAG } from '../../util/localstack-tags.js';
import type { Handler, OpContext } from '../context.js';
import { checkKeyStoreForNewKey, generateInToken, recheckKeyStore } from '../custom-key-stores/bind-key.js';
import { installImportedMaterial } from '../import/imported-material.js';
import { keyMetadata } from '../metadata.js';
import { addMaterial } from '../material.js';
import { offersKeySpec } from '../partition.js';
import { newKeyPolicy } from '../policies/key-policy-rules.js';
import { checkKeyQuota } from '../quotas/key-quota.js';
import { checkTags, tagRecords } from '../tags.js';
import { devTagged, insertNewKey } from './custom-key-id.js';

/**
 * CreateKey. Checks run in this order (AWS documents no order; this one reports the most basic mistake
 * first): key spec and usage, the spec's availability in the partition, origin and custom key store
 * combinations, the policy, the tags, and last the custom key store (ops/custom-key-stores/bind-key.ts). Material is generated
 * before the one transaction that writes the key, its material and its tags together; the keys-per-region
 * quota is checked before the material is made, and again, locked, in that transaction. In dev, LocalStack's
 * `_custom_key_material_` tag gives the material instead, installed by the import code (ops/import).
 */
export const createKey: Handler<'CreateKey'> = async (input, ctx) => {
  const spec = keySpecOf(input);
  const usage = keyUsageOf(spec, input.KeyUsage);
  checkPartition(ctx, spec);
  const origin = originOf(input);
  checkOrigin(input, origin, spec);
  const { caller, now, deps } = ctx;
  const multiRegion = input.MultiRegion ?? false;
  const { keyId, material, tags } = devTagged(ctx, input.Tags ?? [], multiRegion);
  if (material && (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE')) {
    throw new KmsError('ValidationException', `The ${CUSTOM_KEY_MATERIAL_TAG} tag cannot give material to a key in a custom key store.`);
  }
  const policy = await newKeyPolicy(ctx, input, { accountId: caller.accountId, region: caller.region, keyId, keySpec: spec, keyUsage: usage, origin });
  checkTags(tags);
  const keyStore = input.CustomKeyStoreId === undefined ? undefined : await checkKeyStoreForNewKey(ctx, input, origin);

  const key: KeyRecord = {
    accountId: caller.accountId,
    region: caller.region,
    keyId,
    createdAt: now,
    description: input.Description ?? '',
    keySpec: spec,
    keyUsage: usage,
    origin,
    keyState: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    multiRegion,
    multiRegionKeyType: multiRegion ? 'PRIMARY' : undefined,
    primaryRegion: multiRegion ? caller.region : undefined,
    customKeyStoreId: input.CustomKeyStoreId,
    xksKeyId: input.XksKeyId,
    policy,
  };
  // Before the material is made (an RSA secret from the pool, or a second of CPU without one): an account at its
  // quota must not spend either on CreateKeys that will be refused. The transaction checks again, locked.
  checkKeyQuota(ctx, await deps.store.countKeys(caller.accountId, caller.region));
  // A key of an external key store has Trent's own material too: its ciphertexts are encrypted under it, then by the proxy.
  const secret = (origin === 'AWS_KMS' && !material) || origin === 'EXTERNAL_KEY_STORE' ? await deps.pool.secretFor(spec) : undefined;
  if (keyStore?.type === 'AWS_CLOUDHSM') await generateInToken(ctx, keyStore, keyId);
  ctx.keysReached.push({ accountId: key.accountId, region: key.region, keyId: key.keyId });
  await ctx.transaction(async (tx) => {
    checkKeyQuota(ctx, await tx.lockKeyCount(caller.accountId, caller.region));
    if (keyStore) await recheckKeyStore(tx, keyStore, input.XksKeyId);
    if (secret) key.currentMaterialId = await addMaterial(tx, deps.root, key, secret, now);
    await insertNewKey(tx, key);
    // LocalStack's tag: through the import code's checks and install, as every material given from outside.
    if (material) {
      await installImportedMaterial(tx, deps, key, givenMaterial(spec, material), { expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', now });
    }
    if (tags.length) await tx.putTags(key, tagRecords(tags));
  });
  return { KeyMetadata: keyMetadata(key, [key]) };
};

function keySpecOf(input: CreateKeyRequest): KeySpec {
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
    throw new KmsError('ValidationException',
      'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated; use KeySpec.');
  }
  return input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
}

function keyUsageOf(spec: KeySpec, usage: KeyUsageType | undefined): KeyUsageType {
  if (usage === undefined) {
    if (spec === 'SYMMETRIC_DEFAULT') return 'ENCRYPT_DECRYPT';
    throw new KmsError('ValidationException',
      'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  if (!KEY_SPECS[spec].usages[usage]) {
    throw new KmsError('ValidationException', `KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
  }
  return usage;
}

function checkPartition(ctx: OpContext, spec: KeySpec): void {
  if (!offersKeySpec(ctx, spec)) {
    throw new KmsError('ValidationException', `KeySpec ${spec} is not supported in this region.`);
  }
}

/** A custom key store ID with no Origin means a CloudHSM key store, as in AWS. */
function originOf(input: CreateKeyRequest): OriginType {
  return input.Origin ?? (input.CustomKeyStoreId !== undefined ? 'AWS_CLOUDHSM' : 'AWS_KMS');
}

function checkOrigin(input: CreateKeyRequest, origin: OriginType, spec: KeySpec): void {
  const inKeyStore = origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE';
  if (input.XksKeyId !== undefined && origin !== 'EXTERNAL_KEY_STORE') {
    throw new KmsError('ValidationException', 'XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE.');
  }
  if (!inKeyStore) {
    if (input.CustomKeyStoreId !== undefined) {
      throw new KmsError('ValidationException', `CustomKeyStoreId is not valid for KMS keys with an Origin of ${origin}.`);
    }
    return;
  }
  if (input.CustomKeyStoreId === undefined) {
    throw new KmsError('ValidationException', `You must specify a CustomKeyStoreId for KMS keys with an Origin of ${origin}.`);
  }
  if (origin === 'EXTERNAL_KEY_STORE' && input.XksKeyId === undefined) {
    throw new KmsError('ValidationException', 'You must specify an XksKeyId for KMS keys with an Origin of EXTERNAL_KEY_STORE.');
  }
  if (spec !== 'SYMMETRIC_DEFAULT' || (input.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') {
    throw new KmsError('UnsupportedOperationException',
      'KMS keys in a custom key store must be symmetric encryption keys (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT).');
  }
  if (input.MultiRegion) {
    throw new KmsError('UnsupportedOperationException', 'You cannot create a multi-Region key in a custom key store.');
  }
}

