// Lint rules for the whole workspace. The module-boundary rule encodes DESIGN.md's
// dependency rules through the tags in each package's package.json ("nx": {"tags"}).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:testkit', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'type:plugin', onlyDependOnLibsWithTags: ['type:core', 'type:testkit'] },
            { sourceTag: 'type:distro', onlyDependOnLibsWithTags: ['type:core', 'type:plugin'] },
            { sourceTag: 'type:frontend', onlyDependOnLibsWithTags: ['type:core', 'type:distro', 'type:testkit'] },
          ],
        },
      ],
    },
  },
  {
    // Tests, tools and the CLI's own entry may print.
    files: ['**/test/**/*.ts', 'tools/**', 'packages/cli/src/**'],
    rules: { 'no-console': 'off' },
  },
];
