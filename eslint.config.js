import tseslint from 'typescript-eslint';

// The domain (src/core) stays free of HTTP, SQL, filesystem, thread and cloud SDK imports: it receives
// its ports by constructor injection (docs/architecture.md, "The shape").
const forbiddenInCore = [
  'fastify',
  'fastify/*',
  '@fastify/*',
  'pg',
  'better-sqlite3',
  'kysely',
  'node:fs',
  'node:fs/promises',
  'fs',
  'fs/promises',
  '@aws-sdk/*',
  'busboy',
  'worker_threads',
  'node:worker_threads',
];

// node:test's describe/it/test return promises that the runner itself awaits.
const nodeTestCalls = { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'clients/*/dist/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      // Type-aware rules that catch real bugs: a promise nobody awaits loses its rejection, an
      // async callback where a void one is expected runs unobserved.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [nodeTestCalls] }],
      '@typescript-eslint/no-misused-promises': 'error',
      // Strings and objects may be tested for presence as usual; a nullable number may not (0 is
      // falsy: `if (size)` skips an empty file), nor a condition that is always true or false.
      '@typescript-eslint/strict-boolean-expressions': [
        'error',
        {
          allowString: true,
          allowNumber: true,
          allowNullableObject: true,
          allowNullableBoolean: true,
          allowNullableString: true,
          allowNullableNumber: false,
          allowAny: true,
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: forbiddenInCore.map((group) => ({ group: [group], message: 'core must not import I/O libraries; take a port instead' })) },
      ],
    },
  },
);
