/**
 * The schema, as numbered migrations shared by every backend (the SQL here is the common subset of SQLite and
 * PostgreSQL). Records are kept as a JSON document beside the columns that queries filter and order on, so a
 * new field is not a migration. Migrations only ever append.
 */

/** Fills key_counts from the keys themselves. */
const COUNT_KEYS = 'INSERT INTO key_counts (account_id, region, n) SELECT account_id, region, count(*) FROM keys GROUP BY account_id, region;';

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE keys (
     account_id TEXT NOT NULL, region TEXT NOT NULL, key_id TEXT NOT NULL,
     key_state TEXT NOT NULL, due_at BIGINT, doc TEXT NOT NULL,
     PRIMARY KEY (account_id, region, key_id));
   CREATE INDEX keys_due ON keys (due_at) WHERE due_at IS NOT NULL;
   CREATE TABLE materials (
     account_id TEXT NOT NULL, key_id TEXT NOT NULL, material_id TEXT NOT NULL,
     created_at BIGINT NOT NULL, rotation_type TEXT, wrapped BYTEA NOT NULL,
     PRIMARY KEY (account_id, key_id, material_id));
   CREATE TABLE tags (
     account_id TEXT NOT NULL, region TEXT NOT NULL, key_id TEXT NOT NULL,
     tag_key TEXT NOT NULL, tag_value TEXT NOT NULL,
     PRIMARY KEY (account_id, region, key_id, tag_key));
   CREATE TABLE aliases (
     account_id TEXT NOT NULL, region TEXT NOT NULL, alias_name TEXT NOT NULL, key_id TEXT NOT NULL,
     created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
     PRIMARY KEY (account_id, region, alias_name));
   CREATE INDEX aliases_by_key ON aliases (account_id, region, key_id);
   CREATE TABLE access_keys (
     access_key_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, user_name TEXT NOT NULL,
     created_at BIGINT NOT NULL, wrapped_secret BYTEA NOT NULL);`,
  // GetKeyLastUsage: each key's last successful cryptographic use, written in batches (ops/usage/tracker.ts).
  `CREATE TABLE key_last_usage (
     account_id TEXT NOT NULL, region TEXT NOT NULL, key_id TEXT NOT NULL,
     operation TEXT NOT NULL, used_at BIGINT NOT NULL, request_id TEXT NOT NULL,
     PRIMARY KEY (account_id, region, key_id));`,
  // Secrets generated ahead for key specs whose generation is slow (ops/material-pool.ts), wrapped like any key.
  `CREATE TABLE material_pool (
     id TEXT PRIMARY KEY, key_spec TEXT NOT NULL, created_at BIGINT NOT NULL, wrapped BYTEA NOT NULL);
   CREATE INDEX material_pool_by_spec ON material_pool (key_spec, created_at);`,
  // Grants (ops/grants/): the columns listings filter on, the rest (operations, constraints) in the document.
  `CREATE TABLE grants (
     account_id TEXT NOT NULL, region TEXT NOT NULL, key_id TEXT NOT NULL, grant_id TEXT NOT NULL,
     grantee_principal TEXT NOT NULL, retiring_principal TEXT, created_at BIGINT NOT NULL, doc TEXT NOT NULL,
     PRIMARY KEY (account_id, region, key_id, grant_id));
   CREATE INDEX grants_by_grantee ON grants (account_id, region, key_id, grantee_principal);
   CREATE INDEX grants_by_retiring ON grants (region, retiring_principal, account_id, key_id, grant_id);`,
  // The keys of each account and Region, kept by every insert and delete of a key: the keys-per-region quota
  // reads (and locks) one row where counting would read up to 100,000 index entries under the write lock.
  `CREATE TABLE key_counts (
     account_id TEXT NOT NULL, region TEXT NOT NULL, n BIGINT NOT NULL,
     PRIMARY KEY (account_id, region));
   ${COUNT_KEYS}`,
  // The audit trail (audit/event.ts, store/audit-trail.ts): append-only, read in time order. No primary key
  // and one index, so an append costs as little as a row can: event IDs are random, an index on them would
  // scatter every insert.
  `CREATE TABLE audit_events (
     event_id TEXT NOT NULL, event_time BIGINT NOT NULL, event_name TEXT NOT NULL, principal TEXT NOT NULL,
     access_key_id TEXT NOT NULL, error_code TEXT NOT NULL, resources TEXT NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX audit_events_by_time ON audit_events (event_time);`,
  // IAM (ops/iam/, ops/sts/): users and roles (names unique per account whatever their case: name_key is the
  // lower-cased name), their inline policies, and STS sessions. Access keys become IAM's: each is a user's, or
  // (user_name '') the account root's, Active or Inactive. Keys made before IAM keep working: the administrator
  // key ('admin', made on first start or by the CLI's default) becomes the root's, and the users other keys
  // named become IAM users holding them.
  `ALTER TABLE access_keys ADD COLUMN status TEXT NOT NULL DEFAULT 'Active';
   CREATE TABLE iam_identities (
     account_id TEXT NOT NULL, kind TEXT NOT NULL, name_key TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,
     identity_id TEXT NOT NULL, created_at BIGINT NOT NULL, doc TEXT NOT NULL,
     PRIMARY KEY (account_id, kind, name_key));
   INSERT INTO iam_identities (account_id, kind, name_key, name, path, identity_id, created_at, doc)
     SELECT account_id, 'user', lower(user_name), min(user_name), '/', 'AIDA' || substr(min(access_key_id), 5), min(created_at), '{}'
     FROM access_keys WHERE user_name <> 'admin' GROUP BY account_id, lower(user_name);
   UPDATE access_keys SET user_name = '' WHERE user_name = 'admin';
   CREATE INDEX access_keys_by_user ON access_keys (account_id, user_name);
   CREATE TABLE iam_inline_policies (
     account_id TEXT NOT NULL, kind TEXT NOT NULL, owner_key TEXT NOT NULL, policy_key TEXT NOT NULL,
     owner_name TEXT NOT NULL, policy_name TEXT NOT NULL, document TEXT NOT NULL,
     PRIMARY KEY (account_id, kind, owner_key, policy_key));
   CREATE TABLE sessions (
     access_key_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, expires_at BIGINT NOT NULL, wrapped_secret BYTEA NOT NULL,
     doc TEXT NOT NULL);`,
  // A key ID's records in every Region (multi-Region keys: listRelatedKeys, and deleteKey's check for the last
  // Region before the shared material goes), without scanning the account's keys of every Region.
  `CREATE INDEX keys_by_key_id ON keys (account_id, key_id);`,
  // Wrapping key pairs and their import tokens (GetParametersForImport), by token; purged some time after expiry.
  `CREATE TABLE import_parameters (
     token_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, key_id TEXT NOT NULL,
     wrapping_algorithm TEXT NOT NULL, wrapping_key_spec TEXT NOT NULL, valid_to BIGINT NOT NULL, wrapped BYTEA NOT NULL);
   CREATE INDEX import_parameters_by_key ON import_parameters (account_id, region, key_id);
   CREATE INDEX import_parameters_by_expiry ON import_parameters (valid_to);`,
  // Custom key stores (ops/custom-key-stores/): the record as a document; a name is unique in its account and Region.
  `CREATE TABLE custom_key_stores (
     account_id TEXT NOT NULL, region TEXT NOT NULL, custom_key_store_id TEXT NOT NULL, name TEXT NOT NULL,
     doc TEXT NOT NULL,
     PRIMARY KEY (account_id, region, custom_key_store_id));
   CREATE UNIQUE INDEX custom_key_stores_by_name ON custom_key_stores (account_id, region, name);`,
];

/**
 * Refills key_counts from the keys, after a restore: a backup's counts (or their absence, in one made before the
 * table existed) are not trusted to match its keys.
 */
export const RECOUNT_KEYS = `DELETE FROM key_counts; ${COUNT_KEYS}`;

/** The tables of keys and what hangs off them: what Store.wipe empties (settings and access keys stay). */
export const WIPED_TABLES: readonly string[] = [
  'keys', 'materials', 'tags', 'aliases', 'grants', 'key_last_usage', 'key_counts', 'import_parameters', 'custom_key_stores',
];
