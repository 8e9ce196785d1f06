import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { isAsymmetric, KEY_SPECS } from '../src/keys/specs.ts';

/**
 * The console's build. What the wizard offers (key specs per key type and usage, origins, key states, name
 * patterns and lengths) is generated here from Trent's own spec table and the KMS API model, so there is no
 * second list to drift: `virtual:kms-facts` is that data as a module.
 */
const model = JSON.parse(readFileSync(fileURLToPath(new URL('../model/kms-2014-11-01.json', import.meta.url)), 'utf8')) as {
  shapes: Record<string, { enum?: string[]; pattern?: string; min?: number; max?: number }>;
};

function shape(name: string): { enum?: string[]; pattern?: string; min?: number; max?: number } {
  const s = model.shapes[name];
  if (!s) throw new Error(`the KMS model has no shape ${name}`);
  return s;
}

const facts = {
  keySpecs: Object.entries(KEY_SPECS).map(([spec, info]) => ({
    spec,
    asymmetric: isAsymmetric(spec as keyof typeof KEY_SPECS),
    usages: Object.keys(info.usages),
    algorithms: info.usages,
    chinaOnly: info.chinaOnly === true,
  })),
  origins: shape('OriginType').enum ?? [],
  keyStates: shape('KeyState').enum ?? [],
  aliasName: shape('AliasNameType'),
  description: shape('DescriptionType'),
  tagKey: shape('TagKeyType'),
  tagValue: shape('TagValueType'),
  rotationPeriod: shape('RotationPeriodInDaysType'),
};

function kmsFacts(): Plugin {
  const id = 'virtual:kms-facts';
  return {
    name: 'kms-facts',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load: (loaded) => (loaded === `\0${id}` ? `export default ${JSON.stringify(facts)};` : undefined),
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [kmsFacts()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // The Content-Security-Policy allows no inline script: no preload polyfill injected into the page.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
