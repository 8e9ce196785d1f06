import { KmsError } from '../../model/errors.js';
import type { MultiRegionConfiguration } from '../../model/types.gen.js';
import type { KeyRecord, StoreOps, StoreReads } from '../../store/types.js';
import { arnOf, keyArn, partitionOf } from '../../util/arn.js';

/**
 * Multi-Region keys: one key ID with a record in each of its Regions (store/types.ts listRelatedKeys). The
 * material is one series for all of them (materials are kept by account and key ID, never by Region), so a
 * version added through any Region is readable from every other at once. What else the Regions share is
 * kept on each record, and changed in all of them in the transaction that changes it on the primary:
 * copyShared names it. Everything else (policy, description, tags, aliases, grants, key state) is each Region's own.
 */
export function copyShared(from: KeyRecord, to: KeyRecord): void {
  to.currentMaterialId = from.currentMaterialId;
  to.rotationPeriodDays = from.rotationPeriodDays;
  to.nextRotationDate = from.nextRotationDate;
}

/** AWS's refusal of a key that is not a multi-Region primary where only one will do (recorded for ReplicateKey). */
export function notPrimary(key: KeyRecord): KmsError {
  return new KmsError('UnsupportedOperationException', `${arnOf(key)} is not a multi-region primary key.`);
}

/** Rotation and replication are the primary's: a replica (or a single-Region key, where asked) is refused. */
export function requirePrimary(key: KeyRecord): void {
  if (key.multiRegionKeyType !== 'PRIMARY') throw notPrimary(key);
}

/**
 * Copies the shared properties of `primary` (locked in `tx`, already written) to every replica, locked, in
 * the same transaction: a rotation or a rotation setting reaches every Region in the same commit.
 */
export async function shareWithReplicas(tx: StoreOps, primary: KeyRecord): Promise<void> {
  if (!primary.multiRegion) return;
  for (const replica of await tx.lockRelatedKeys(primary.accountId, primary.keyId)) {
    if (replica.region === primary.region) continue;
    copyShared(primary, replica);
    await tx.updateKey(replica);
  }
}

/** The records of every Region of `key` (itself alone for a single-Region key), for MultiRegionConfiguration. */
export async function relatedKeysOf(reader: Pick<StoreReads, 'listRelatedKeys'>, key: KeyRecord): Promise<readonly KeyRecord[]> {
  return key.multiRegion ? reader.listRelatedKeys(key.accountId, key.keyId) : [key];
}

/**
 * DescribeKey's MultiRegionConfiguration: the primary, and every replica (a replica lists itself too, as AWS
 * does), by Region. `related` are the records of every Region of the key, `key`'s among them.
 */
export function multiRegionConfiguration(key: KeyRecord, related: readonly KeyRecord[]): MultiRegionConfiguration {
  const primaryRegion = key.primaryRegion ?? key.region;
  return {
    MultiRegionKeyType: key.multiRegionKeyType ?? 'PRIMARY',
    PrimaryKey: { Arn: keyArn(primaryRegion, key.accountId, key.keyId), Region: primaryRegion },
    ReplicaKeys: related.filter((k) => k.region !== primaryRegion).map((k) => ({ Arn: arnOf(k), Region: k.region })),
  };
}

/** A multi-Region key's Regions are all in its partition: `region` (the value of `param`) must be in `key`'s. */
export function checkSamePartition(key: KeyRecord, region: string, param: string): void {
  const partition = partitionOf(key.region);
  if (partitionOf(region) !== partition) {
    throw new KmsError('ValidationException', `${param} ${region} is not in the ${partition} partition of the key ${arnOf(key)}.`);
  }
}
