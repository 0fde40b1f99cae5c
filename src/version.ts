// Kept equal to package.json's version by test/version.test.ts; bundles cannot read package.json.
export const VERSION = '0.1.0';
