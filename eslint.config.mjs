// ESLint for the whole tree: typescript-eslint with type information on the sources, react-hooks on the renderer,
// plain recommended rules on tests, benchmarks and scripts. Formatting is Prettier's (npm run format).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'release/**', 'coverage/**', 'client-sdk/python/**', '**/*.d.mts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.{ts,tsx}'] })),
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // String(x) on untrusted wire values is deliberate: it never throws for objects, and '[object Object]' is an
      // acceptable rendering of a value that should not have been an object.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests, their helpers and the runner config are typed by tsconfig.tests.json, not a package's tsconfig.
    files: ['{shared,client-sdk,electron}/test/**/*.ts', 'test/**/*.ts', 'vitest.config.ts'],
    languageOptions: {
      parserOptions: { projectService: false, project: './tsconfig.tests.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Tests read JSON the collector wrote (JSON.parse is `any`) and pass methods to expect(): the type-aware
      // "unsafe" rules would only add casts that prove nothing; the assertions are the check.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Tests build hostile input on purpose (control characters, sparse arrays).
      'no-control-regex': 'off',
      'no-sparse-arrays': 'off',
    },
  },
  {
    files: ['**/*.{mjs,js,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Functions the benchmarks run inside the page (page.evaluate) see the browser's globals.
    files: ['bench/b4-console.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
    languageOptions: { globals: { ...globals.browser } },
  },
);
