// ESLint with the AdonisJS team's presets (formatting is Prettier's, checked by `npm run format:check`).
import { configApp } from '@adonisjs/eslint-config'

export default configApp(
  // Global ignores: an object with nothing but `ignores` (next to other keys it would only narrow that object).
  { ignores: ['tmp/**', 'node_modules/**', 'build/**', 'public/vendor/**', 'public/ohif/**'] },
  {
    name: 'Browser scripts (ES modules)',
    files: ['public/js/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', fetch: 'readonly', io: 'readonly' } },
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
