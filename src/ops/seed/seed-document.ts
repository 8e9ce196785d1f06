import { parse as parseYaml } from 'yaml';
import { givenMaterial, givenPrivateKey, keySpecOfPrivateKey } from '../../keys/import.js';
import { KEY_SPECS } from '../../keys/specs.js';
import { KmsError } from '../../model/errors.js';
import type { KeySpec, KeyUsageType, RotationType, Tag } from '../../model/types.gen.js';
import { parsePolicy } from '../../policy/document.js';
import { checkAliasName } from '../aliases/alias-rules.js';
import { checkCustomKeyId } from '../keys/custom-key-id.js';
import { DEFAULT_ROTATION_PERIOD_DAYS } from '../rotation/rotation.js';
import { checkTags } from '../tags.js';

/*
 * Seed files (`trent dev --seed FILE`): keys with fixed IDs, material given or generated, aliases, tags, policies
 * and rotation settings, made at start. Two formats, in YAML or JSON, read into one SeedDocument:
 *
 * - Trent's own: `Keys` is a list of keys named as CreateKey names their properties (README: Seed files);
 * - local-kms's `seed.yaml`, as local-kms reads it: `Keys: { Symmetric: { Aes, Hmac }, Asymmetric: { Rsa, Ecc } }`,
 *   each key a `Metadata` with hex `BackingKeys` or a `PrivateKeyPem`, and its older form where `Keys` is a
 *   list of AES keys. Both share `Aliases: [{ AliasName, TargetKeyId }]`.
 *
 * Everything is checked here, before the store is touched, except what needs the store (apply-seed.ts) and the
 * material itself, which the import code checks as it installs it.
 */

/** One key of a seed file, in the form apply-seed.ts makes it. */
export interface SeedKey {
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsageType;
  readonly origin: 'AWS_KMS' | 'EXTERNAL';
  readonly multiRegion: boolean;
  readonly description: string | undefined;
  readonly policy: string | undefined;
  readonly tags: readonly Tag[];
  /**
   * Material given, oldest first, the last one current, in the form ImportKeyMaterial carries it (raw bytes, or an
   * asymmetric key's PKCS #8 DER). None: an AWS_KMS key's is generated; an EXTERNAL key awaits its import.
   */
  readonly materials: readonly SeedMaterial[];
  /** Automatic rotation, on: every `periodDays`, next at `next` (default: one period after the key is made). */
  readonly rotation: { readonly periodDays: number; readonly next: Date | undefined } | undefined;
}

export interface SeedMaterial {
  readonly material: Buffer;
  /**
   * An AWS_KMS key's version keeps this ID (as `trent export` writes it), so the ciphertexts made under it before
   * decrypt again; otherwise the ID is computed from the material, as an imported material's is.
   */
  readonly materialId: string | undefined;
  /** How an AWS_KMS key's later version came, as ListKeyRotations says (default AUTOMATIC). */
  readonly rotationType?: RotationType | undefined;
}

export interface SeedAlias {
  readonly aliasName: string;
  /** A key ID (a key ARN in the file is read down to its ID). */
  readonly targetKeyId: string;
}

export interface SeedDocument {
  /** Where the keys are made: default the server's account and default Region. */
  readonly accountId: string | undefined;
  readonly region: string | undefined;
  readonly keys: readonly SeedKey[];
  readonly aliases: readonly SeedAlias[];
}

/** A seed file that cannot be loaded: the message names the key or alias and what is wrong. */
export class SeedError extends Error {}

type Fields = Record<string, unknown>;

/** Reads a seed file's text: YAML (JSON is YAML too). */
export function parseSeedText(text: string, source: string): SeedDocument {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    throw new SeedError(`${source}: not YAML or JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return seedDocument(data ?? {}, source);
}

/** Reads a seed document already parsed (startTrent's `seed` option, or parseSeedText's result). */
export function seedDocument(data: unknown, source: string): SeedDocument {
  const top = record(data, source);
  const keysField = top.Keys;
  const localKms = keysField !== undefined && (!Array.isArray(keysField) || keysField.some((k) => isRecord(k) && 'Metadata' in k));
  if (!localKms) {
    onlyFields(top, ['AccountId', 'Region', 'Keys', 'Aliases'], source);
  }
  const keys = localKms ? localKmsKeys(keysField, source) : list(keysField, `${source}: Keys`).map((k, i) => trentKey(k, `${source}: Keys[${i + 1}]`));
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key.keyId)) throw new SeedError(`${source}: key ${key.keyId} is given twice`);
    seen.add(key.keyId);
  }
  const aliases = list(top.Aliases, `${source}: Aliases`).map((a, i) => seedAlias(a, `${source}: Aliases[${i + 1}]`));
  const names = new Set<string>();
  for (const alias of aliases) {
    if (names.has(alias.aliasName)) throw new SeedError(`${source}: alias ${alias.aliasName} is given twice`);
    names.add(alias.aliasName);
  }
  return {
    accountId: optionalString(top.AccountId, `${source}: AccountId`),
    region: optionalString(top.Region, `${source}: Region`),
    keys,
    aliases,
  };
}

/** A key in Trent's format. */
function trentKey(data: unknown, where: string): SeedKey {
  const k = record(data, where);
  onlyFields(k, ['KeyId', 'KeySpec', 'KeyUsage', 'Origin', 'MultiRegion', 'Description', 'Policy', 'Tags', 'KeyMaterial',
    'RotationPeriodInDays', 'NextRotationDate'], where);
  const keyId = requiredString(k.KeyId, `${where}: KeyId`);
  const at = `${where} (key ${keyId})`;
  const keySpec = keySpecOf(k.KeySpec ?? 'SYMMETRIC_DEFAULT', at);
  const material = k.KeyMaterial === undefined ? [] : Array.isArray(k.KeyMaterial) ? k.KeyMaterial : [k.KeyMaterial];
  return checkedKey({
    keyId,
    keySpec,
    keyUsage: keyUsageOf(keySpec, k.KeyUsage, at),
    origin: originOf(k.Origin, at),
    multiRegion: optionalBoolean(k.MultiRegion, `${at}: MultiRegion`) ?? false,
    description: optionalString(k.Description, `${at}: Description`),
    policy: policyOf(k.Policy, at),
    tags: tagsOf(k.Tags, at),
    materials: material.map((m, i) => materialEntry(keySpec, m, `${at}: KeyMaterial[${i + 1}]`)),
    rotation: k.RotationPeriodInDays === undefined && k.NextRotationDate === undefined ? undefined : {
      periodDays: optionalInteger(k.RotationPeriodInDays, `${at}: RotationPeriodInDays`) ?? DEFAULT_ROTATION_PERIOD_DAYS,
      next: optionalDate(k.NextRotationDate, `${at}: NextRotationDate`),
    },
  }, at);
}

/** local-kms's `Keys`: the current form, grouped by kind, or its older list of AES keys. */
function localKmsKeys(keys: unknown, source: string): SeedKey[] {
  if (Array.isArray(keys)) return keys.map((k, i) => localKmsKey(k, 'Aes', `${source}: Keys[${i + 1}]`));
  const groups = record(keys, `${source}: Keys`);
  const symmetric = groups.Symmetric === undefined ? {} : record(groups.Symmetric, `${source}: Keys.Symmetric`);
  const asymmetric = groups.Asymmetric === undefined ? {} : record(groups.Asymmetric, `${source}: Keys.Asymmetric`);
  const kinds: Array<[LocalKmsKind, unknown, string]> = [
    ['Aes', symmetric.Aes, 'Symmetric.Aes'], ['Hmac', symmetric.Hmac, 'Symmetric.Hmac'],
    ['Rsa', asymmetric.Rsa, 'Asymmetric.Rsa'], ['Ecc', asymmetric.Ecc, 'Asymmetric.Ecc'],
  ];
  return kinds.flatMap(([kind, entries, path]) =>
    list(entries, `${source}: Keys.${path}`).map((k, i) => localKmsKey(k, kind, `${source}: Keys.${path}[${i + 1}]`)));
}

type LocalKmsKind = 'Aes' | 'Hmac' | 'Rsa' | 'Ecc';

/** The asymmetric specs a local-kms PEM may be, by the kind it is listed under. */
const PEM_SPECS: Readonly<Record<'Rsa' | 'Ecc', readonly KeySpec[]>> = {
  Rsa: (Object.keys(KEY_SPECS) as KeySpec[]).filter((s) => KEY_SPECS[s].family === 'rsa'),
  Ecc: (Object.keys(KEY_SPECS) as KeySpec[]).filter((s) => KEY_SPECS[s].family === 'ecc'),
};

/**
 * One local-kms key. Its Metadata fields local-kms sets for itself (Arn, Enabled, KeyState, dates…) are ignored,
 * as local-kms ignores them; BackingKeys are hex, oldest first, the last one current; a PEM's spec is read from
 * the key, as local-kms does.
 */
function localKmsKey(data: unknown, kind: LocalKmsKind, where: string): SeedKey {
  const k = record(data, where);
  const metadata = record(k.Metadata, `${where}: Metadata`);
  const keyId = requiredString(metadata.KeyId, `${where}: Metadata.KeyId`);
  const at = `${where} (key ${keyId})`;
  const origin = originOf(metadata.Origin, at);
  let keySpec: KeySpec;
  let materials: SeedMaterial[];
  if (kind === 'Aes' || kind === 'Hmac') {
    keySpec = kind === 'Aes' ? 'SYMMETRIC_DEFAULT' : keySpecOf(metadata.KeySpec, `${at}: Metadata.KeySpec`);
    if (KEY_SPECS[keySpec].family !== (kind === 'Aes' ? 'symmetric' : 'hmac')) throw new SeedError(`${at}: ${keySpec} is not an ${kind.toUpperCase()} key spec`);
    materials = list(k.BackingKeys, `${at}: BackingKeys`).map((hex, i) => ({ material: hexOf(hex, `${at}: BackingKeys[${i + 1}]`), materialId: undefined }));
    if (materials.length === 0 && origin === 'AWS_KMS') throw new SeedError(`${at}: at least one backing key must be given`);
  } else {
    const pem = requiredString(k.PrivateKeyPem, `${at}: PrivateKeyPem`);
    const pkcs8 = givenPrivateKey(Buffer.from(pem));
    const spec = metadata.KeySpec === undefined ? keySpecOfPrivateKey(pkcs8, PEM_SPECS[kind]) : keySpecOf(metadata.KeySpec, `${at}: Metadata.KeySpec`);
    if (spec === undefined) throw new SeedError(`${at}: PrivateKeyPem is not an unencrypted ${kind.toUpperCase()} private key of a key spec KMS offers`);
    keySpec = spec;
    materials = [{ material: pkcs8, materialId: undefined }];
  }
  const next = optionalDate(k.NextKeyRotation, `${at}: NextKeyRotation`);
  return checkedKey({
    keyId,
    keySpec,
    keyUsage: keyUsageOf(keySpec, metadata.KeyUsage, at),
    origin,
    multiRegion: keyId.startsWith('mrk-'),
    description: optionalString(metadata.Description, `${at}: Metadata.Description`),
    policy: undefined,
    tags: [],
    materials,
    // local-kms rotates an AES key when NextKeyRotation passes, then yearly; Go's zero time means never.
    rotation: next && next.getUTCFullYear() > 1 ? { periodDays: DEFAULT_ROTATION_PERIOD_DAYS, next } : undefined,
  }, at);
}

/** The rules across a key's fields. */
function checkedKey(key: SeedKey, at: string): SeedKey {
  kmsCheck(() => checkCustomKeyId(key.keyId, key.multiRegion, 'KeyId'), at);
  if (key.materials.length > 1 && key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new SeedError(`${at}: only symmetric encryption keys have several key materials; a ${key.keySpec} key has one`);
  }
  if (key.rotation) {
    if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.origin !== 'AWS_KMS') {
      throw new SeedError(`${at}: automatic rotation is only for symmetric encryption keys of origin AWS_KMS`);
    }
    const { periodDays } = key.rotation;
    if (periodDays < 90 || periodDays > 2560) throw new SeedError(`${at}: RotationPeriodInDays must be 90 to 2560, not ${periodDays}`);
  }
  if (key.origin !== 'AWS_KMS' && key.materials.some((m) => m.materialId !== undefined || m.rotationType !== undefined)) {
    throw new SeedError(`${at}: KeyMaterialId and RotationType are for AWS_KMS keys: an imported material's ID is computed from it`);
  }
  if (key.description !== undefined && key.description.length > 8192) throw new SeedError(`${at}: Description is longer than 8192 characters`);
  return key;
}

function seedAlias(data: unknown, where: string): SeedAlias {
  const a = record(data, where);
  const aliasName = requiredString(a.AliasName, `${where}: AliasName`);
  const target = requiredString(a.TargetKeyId, `${where}: TargetKeyId`);
  kmsCheck(() => checkAliasName(aliasName), `${where} (${aliasName})`);
  // A key ARN names its key by the ID after `key/`.
  return { aliasName, targetKeyId: target.startsWith('arn:') ? target.slice(target.lastIndexOf('key/') + 4) : target };
}

function keySpecOf(value: unknown, at: string): KeySpec {
  if (typeof value !== 'string' || !(value in KEY_SPECS)) {
    throw new SeedError(`${at}: KeySpec ${JSON.stringify(value)} is not one of ${Object.keys(KEY_SPECS).join(', ')}`);
  }
  return value as KeySpec;
}

/** As CreateKey: required unless the spec has one usage only. */
function keyUsageOf(spec: KeySpec, value: unknown, at: string): KeyUsageType {
  const usages = Object.keys(KEY_SPECS[spec].usages) as KeyUsageType[];
  if (value === undefined) {
    if (usages.length === 1) return usages[0]!;
    throw new SeedError(`${at}: a ${spec} key needs a KeyUsage: ${usages.join(' or ')}`);
  }
  if (typeof value !== 'string' || !usages.includes(value as KeyUsageType)) {
    throw new SeedError(`${at}: KeyUsage ${JSON.stringify(value)} is not one a ${spec} key can have (${usages.join(', ')})`);
  }
  return value as KeyUsageType;
}

function originOf(value: unknown, at: string): 'AWS_KMS' | 'EXTERNAL' {
  if (value === undefined || value === 'AWS_KMS' || value === 'EXTERNAL') return value ?? 'AWS_KMS';
  throw new SeedError(`${at}: Origin must be AWS_KMS or EXTERNAL, not ${JSON.stringify(value)}`);
}

/** A policy as JSON text or as the YAML/JSON object itself, checked as CreateKey checks its grammar. */
function policyOf(value: unknown, at: string): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  kmsCheck(() => parsePolicy(text), `${at}: Policy`);
  return text;
}

/** Tags as CreateKey's list of {TagKey, TagValue}, or as a map of key to value. */
function tagsOf(value: unknown, at: string): Tag[] {
  if (value === undefined) return [];
  const tags = Array.isArray(value)
    ? value.map((t, i) => {
      const r = record(t, `${at}: Tags[${i + 1}]`);
      return { TagKey: requiredString(r.TagKey, `${at}: Tags[${i + 1}].TagKey`), TagValue: stringOf(r.TagValue ?? '', `${at}: Tags[${i + 1}].TagValue`) };
    })
    : Object.entries(record(value, `${at}: Tags`)).map(([TagKey, v]) => ({ TagKey, TagValue: stringOf(v, `${at}: Tags.${TagKey}`) }));
  for (const t of tags) {
    if (t.TagKey.length < 1 || t.TagKey.length > 128 || t.TagValue.length > 256) {
      throw new SeedError(`${at}: tag ${JSON.stringify(t.TagKey)}: a tag key is 1 to 128 characters, a value 0 to 256`);
    }
  }
  kmsCheck(() => checkTags(tags), `${at}: Tags`);
  return tags;
}

/** A KeyMaterial entry: the material, or {Material, KeyMaterialId}. */
function materialEntry(spec: KeySpec, value: unknown, at: string): SeedMaterial {
  if (!isRecord(value)) return { material: givenMaterial(spec, decodeMaterial(value, at)), materialId: undefined };
  onlyFields(value, ['Material', 'KeyMaterialId', 'RotationType'], at);
  const materialId = optionalString(value.KeyMaterialId, `${at}.KeyMaterialId`);
  if (materialId !== undefined && !/^[0-9a-f]{64}$/.test(materialId)) throw new SeedError(`${at}.KeyMaterialId: 64 lowercase hex digits`);
  const rotationType = value.RotationType;
  if (rotationType !== undefined && rotationType !== 'AUTOMATIC' && rotationType !== 'ON_DEMAND') {
    throw new SeedError(`${at}.RotationType: AUTOMATIC or ON_DEMAND, not ${JSON.stringify(rotationType)}`);
  }
  return { material: givenMaterial(spec, decodeMaterial(value.Material, `${at}.Material`)), materialId, rotationType };
}

/** KeyMaterial: a PEM private key, or base64. */
function decodeMaterial(value: unknown, at: string): Buffer {
  const text = requiredString(value, at).trim();
  if (text.startsWith('-----BEGIN')) return Buffer.from(text);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.toString('base64').replace(/=+$/, '') !== text.replace(/\s+/g, '').replace(/=+$/, '')) {
    throw new SeedError(`${at}: not base64 (nor a PEM private key)`);
  }
  return bytes;
}

function hexOf(value: unknown, at: string): Buffer {
  const text = requiredString(value, at);
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) throw new SeedError(`${at}: a backing key is hex`);
  return Buffer.from(text, 'hex');
}

/** Runs a check that throws AWS's error, reporting it as the seed file's. */
function kmsCheck(check: () => unknown, at: string): void {
  try {
    check();
  } catch (e) {
    if (e instanceof KmsError) throw new SeedError(`${at}: ${e.message || e.name}`);
    throw e;
  }
}

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, at: string): Fields {
  if (!isRecord(value)) throw new SeedError(`${at}: expected a mapping of fields`);
  return value;
}

function list(value: unknown, at: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new SeedError(`${at}: expected a list`);
  return value;
}

function onlyFields(value: Fields, allowed: readonly string[], at: string): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new SeedError(`${at}: unknown field ${unknown.join(', ')} (known: ${allowed.join(', ')})`);
}

function stringOf(value: unknown, at: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new SeedError(`${at}: expected a string`);
}

function requiredString(value: unknown, at: string): string {
  if (typeof value !== 'string' || value === '') throw new SeedError(`${at}: required, a string`);
  return value;
}

function optionalString(value: unknown, at: string): string | undefined {
  return value === undefined ? undefined : stringOf(value, at);
}

function optionalBoolean(value: unknown, at: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new SeedError(`${at}: expected true or false`);
}

function optionalInteger(value: unknown, at: string): number | undefined {
  if (value === undefined || Number.isInteger(value)) return value as number | undefined;
  throw new SeedError(`${at}: expected a whole number`);
}

function optionalDate(value: unknown, at: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new SeedError(`${at}: expected an ISO 8601 time`);
  return date;
}
