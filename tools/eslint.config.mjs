// Lint rules for the whole workspace. The module-boundary rule encodes DESIGN.md's
// dependency rules through the tags in each package's package.json ("nx": {"tags"}).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * DESIGN.md's dependency rules. Tests may also use the testkit (its fakes and
 * contract suites), which is why core's tests and the testkit form an allowed cycle.
 */
function boundaries(forTests) {
  const extra = forTests ? ['type:testkit'] : [];
  return {
    // Packages import their own entry by name in tests (one module instance for fakes and code).
    allow: ['@corral/core', '@corral/core/**', '@corral/testkit', '@corral/testkit/**'],
    enforceBuildableLibDependency: false,
    banTransitiveDependencies: false,
    ignoredCircularDependencies: [['@corral/core', '@corral/testkit']],
    depConstraints: [
      { sourceTag: 'type:core', onlyDependOnLibsWithTags: [...extra] },
      { sourceTag: 'type:testkit', onlyDependOnLibsWithTags: ['type:core'] },
      { sourceTag: 'type:plugin', onlyDependOnLibsWithTags: ['type:core', ...extra] },
      { sourceTag: 'type:distro', onlyDependOnLibsWithTags: ['type:core', 'type:plugin', ...extra] },
      // The Docker API service is a front end the CLI serves (`corral system service`).
      { sourceTag: 'type:api', onlyDependOnLibsWithTags: ['type:core', 'type:distro', ...extra] },
      { sourceTag: 'type:frontend', onlyDependOnLibsWithTags: ['type:core', 'type:distro', 'type:api', ...extra] },
    ],
  };
}

export default [
  { ignores: ['**/node_modules/**', '**/dist/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    files: ['packages/*/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  {
    // Tests, tools and the CLI's own entry may print.
    files: ['**/test/**/*.ts', 'tools/**', 'packages/cli/src/**'],
    rules: { 'no-console': 'off' },
  },
];
