/**
 * LocalStack's CreateKey tags that Trent's dev posture honours (ops/keys/custom-key-id.ts). Here, in a leaf, because
 * the audit trail must know one too: `_custom_key_material_` carries key material, which no audit record may hold.
 */
export const CUSTOM_ID_TAG = '_custom_id_';
export const CUSTOM_KEY_MATERIAL_TAG = '_custom_key_material_';
