// ESLint with the AdonisJS team's presets (formatting is Prettier's, checked by `npm run format:check`).
import js from '@eslint/js'
import { configApp, RULES_LIST } from '@adonisjs/eslint-config'

/** The browser's own APIs the scripts in public/js use (anything else is imported from another module). */
const BROWSER_GLOBALS = Object.fromEntries(
  [
    'window',
    'document',
    'navigator',
    'fetch',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'CustomEvent',
    'FormData',
    'XMLHttpRequest',
    'URLSearchParams',
    'Image',
    'MutationObserver',
  ].map((name) => [name, 'readonly'])
)
/** What a script may read on `window`: the browser's, never a value another script left there. */
const WINDOW_API = ['location', 'confirm', 'addEventListener', 'AudioContext', 'webkitAudioContext']

export default configApp(
  // Global ignores: an object with nothing but `ignores` (next to other keys it would only narrow that object).
  { ignores: ['tmp/**', 'node_modules/**', 'build/**', 'public/vendor/**', 'public/ohif/**'] },
  {
    // The browser scripts are ES modules that import what they need from each other (docs/architecture.md,
    // "Browser scripts"): the AdonisJS rules, ESLint's recommended ones (no-undef among them), and three rules of ours.
    name: 'Browser scripts (ES modules)',
    files: ['public/js/**/*.js'],
    languageOptions: { sourceType: 'module', globals: BROWSER_GLOBALS },
    rules: {
      ...js.configs.recommended.rules,
      ...RULES_LIST,
      'no-restricted-syntax': [
        'error',
        {
          selector: `MemberExpression[object.name='window']:not([property.name=/^(${WINDOW_API.join('|')})$/])`,
          message: 'No window globals: export it from a module and import it where it is needed.',
        },
        {
          selector:
            'Literal[value=/[\u3400-\u9fff]/], TemplateElement[value.raw=/[\u3400-\u9fff]/]',
          message:
            'Interface text comes from resources/lang (passed to the page as data-messages or a JSON block).',
        },
      ],
    },
  },
  {
    name: 'Project',
    rules: {
      // Formatting is checked separately (npm run format:check).
      'prettier/prettier': 'off',
      // `(await query).rows` reads as what it is; splitting every such line into two adds noise, not clarity.
      '@unicorn/no-await-expression-member': 'off',
    },
  }
)
