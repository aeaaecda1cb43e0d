import tseslint from 'typescript-eslint';

// The domain (src/core) stays free of HTTP, SQL, filesystem and cloud SDK imports: it receives
// its ports by constructor injection (docs/architecture.md, "The shape").
const forbiddenInCore = ['fastify', 'fastify/*', '@fastify/*', 'pg', 'better-sqlite3', 'kysely', 'node:fs', 'node:fs/promises', 'fs', 'fs/promises', '@aws-sdk/*', 'busboy'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'clients/*/dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: forbiddenInCore.map((group) => ({ group: [group], message: 'core must not import I/O libraries; take a port instead' })) }],
    },
  },
);
