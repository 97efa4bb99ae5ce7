// ESLint flat config: typescript-eslint strict and type-aware over the service, tests, benchmarks,
// scripts and console; the hooks rules over the console (Preact). Formatting is prettier's job
// (.prettierrc.json, `npm run format:check`): no formatting rule is enabled here.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// `x!` is refused unless x is an index read (`xs[i]!`) or a Map lookup (`m.get(k)!`): see the src/ block.
const nonNullOnlyOnIndexRead = [
  {
    selector:
      "TSNonNullExpression:not([expression.type='MemberExpression'][expression.computed=true]):not([expression.callee.property.name='get'])",
    message: 'Non-null assertion on something other than an index read or a Map lookup: narrow it (if, ??, a const).',
  },
];

// eslint-plugin-react is not installed, so its jsx-key rule is approximated: an element or fragment returned
// straight from a `.map(...)` callback must carry a `key` (conditionals and helper calls inside map are not seen).
const jsxKeyInMap = [
  {
    selector:
      "CallExpression[callee.property.name='map'] > :function > JSXElement > JSXOpeningElement:not(:has(JSXAttribute[name.name='key']))",
    message: 'An element rendered from .map() needs a key.',
  },
  {
    selector:
      "CallExpression[callee.property.name='map'] > :function > BlockStatement > ReturnStatement > JSXElement > JSXOpeningElement:not(:has(JSXAttribute[name.name='key']))",
    message: 'An element rendered from .map() needs a key.',
  },
  {
    selector: "CallExpression[callee.property.name='map'] > :function > JSXFragment",
    message: 'A fragment rendered from .map() needs a key: use <Fragment key={...}>.',
  },
  {
    selector: "CallExpression[callee.property.name='map'] > :function > BlockStatement > ReturnStatement > JSXFragment",
    message: 'A fragment rendered from .map() needs a key: use <Fragment key={...}>.',
  },
];

export default defineConfig(
  {
    // Only src/, test/, bench/, console/src/ and scripts/*.mjs are linted (and this file).
    ignores: [
      'dist/',
      '.bench-dist/',
      'coverage/',
      'reports/',
      '.stryker-tmp/',
      'console/dist/',
      'console/build.mjs',
      '*.js',
      '*.cjs',
      '*.mjs',
      '!eslint.config.js',
    ],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each .ts/.tsx file belongs to the nearest tsconfig.json (the root one, or console/tsconfig.json);
        // the .mjs files, outside every tsconfig, belong to the default project listed here.
        projectService: {
          allowDefaultProject: [
            'eslint.config.js',
            'scripts/*.mjs',
            'test/*.mjs',
            'test/fixtures/*.cjs',
            'bench/*.mjs',
          ],
          defaultProject: 'tsconfig.json',
          // Nine small files; the default cap of 8 guards against globs that sweep whole folders in.
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 12,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers and booleans in messages are the codebase's idiom (`${count} records`); objects and
      // possibly-undefined values are still refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => void promise` and `(e) => setX(e)` shorthand arrows are deliberate; only statements are checked.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // `let x; const read = () => x; ...; x = now` is written once but read (by a closure) before: not a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // An in-memory or closing implementation of an async interface stays `async`, so that a throw becomes a
      // rejection exactly as in the Redis implementation.
      '@typescript-eslint/require-await': 'off',
      // A leading underscore marks a value dropped on purpose (`const { cache: _cache, ...rest }`, `(_req, res)`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // An empty string (an unset environment variable, an empty header) counts as missing: `||` is meant there.
      // Numerals and alphabets are split into code points on purpose (`[...'0123456789']`, FF1's radix symbols).
      '@typescript-eslint/no-misused-spread': ['error', { allow: [{ from: 'lib', name: 'string' }] }],
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true } }],
    },
  },
  {
    files: ['src/**', 'test/**', 'bench/**', 'scripts/**', 'eslint.config.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['test/**'],
    languageOptions: { globals: { ...globals.jest } },
    rules: {
      // A test indexes what it just built (`rows[0]!`); if the value is missing, the expect on the next line fails.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Teardown guards (`await service?.close()`) run even when beforeAll failed before assigning the
      // variable, which its declared type cannot say.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // supertest types `res.body` as any, and the tests' own HTTP and config helpers do the same: tests read
      // bodies field by field and assert with expect, which is the check.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['src/**'],
    rules: {
      // With noUncheckedIndexedAccess every `xs[i]` is `T | undefined`; FF1, SHA-256, the digit loops and the
      // batch's parallel arrays index inside their bounds, and a run-time check per read would only add noise.
      // The same holds for a Map lookup of a key just checked or just set. So `!` stays allowed there, and only
      // there: on anything else it is refused by the selector.
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': ['error', ...nonNullOnlyOnIndexRead],
    },
  },
  {
    files: ['bench/**'],
    rules: {
      // A benchmark reads the fixtures it just built (`results.find(...)!`); a missing one fails the run loudly.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // A CommonJS file (an auditor's stand-alone PKCS#11 client in test/fixtures) loads with require().
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'eslint.config.js'],
    rules: {
      // Plain JavaScript has no annotations, so parameters and parsed JSON are `any`: the no-unsafe family
      // would flag every use. The type-aware rules that do not depend on annotations still run.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      // Unannotated JS infers types too narrow to judge conditions by (an option initialised to undefined),
      // and a `.then` rejection callback's parameter cannot be annotated as unknown.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
    },
  },
  {
    files: ['console/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      // Preact's hooks (preact/hooks) have React's names and contracts, which is what these rules match on.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // As in src/: `!` only on an index read or a Map lookup (`CATALOGUE[lang]!`).
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': ['error', ...jsxKeyInMap, ...nonNullOnlyOnIndexRead],
    },
  },
);
