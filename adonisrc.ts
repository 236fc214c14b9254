import { defineConfig } from '@adonisjs/core/app'

export default defineConfig({
  directories: {
    commands: 'app/platform/commands',
  },

  commands: [() => import('@adonisjs/core/commands'), () => import('@adonisjs/lucid/commands')],

  providers: [
    () => import('@adonisjs/core/providers/app_provider'),
    () => import('@adonisjs/core/providers/hash_provider'),
    { file: () => import('@adonisjs/core/providers/repl_provider'), environment: ['repl', 'test'] },
    () => import('@adonisjs/core/providers/vinejs_provider'),
    () => import('@adonisjs/core/providers/edge_provider'),
    () => import('@adonisjs/session/session_provider'),
    () => import('@adonisjs/shield/shield_provider'),
    () => import('@adonisjs/static/static_provider'),
    () => import('@adonisjs/lucid/database_provider'),
    () => import('@adonisjs/auth/auth_provider'),
    () => import('@adonisjs/bouncer/bouncer_provider'),
    () => import('@adonisjs/i18n/i18n_provider'),
    () => import('@adonisjs/limiter/limiter_provider'),
    () => import('#app/platform/providers/platform_provider'),
    () => import('#app/orthanc/orthanc_provider'),
  ],

  preloads: [
    () => import('#start/routes'),
    () => import('#start/kernel'),
    () => import('#start/view'),
    () => import('#start/events'),
    () => import('#start/indicators'),
    { file: () => import('#start/realtime'), environment: ['web', 'test'] },
    { file: () => import('#start/scheduler'), environment: ['web'] },
  ],

  tests: {
    suites: [
      { files: ['tests/unit/**/*.spec.ts'], name: 'unit', timeout: 10_000 },
      { files: ['tests/functional/**/*.spec.ts'], name: 'functional', timeout: 120_000 },
      { files: ['tests/browser/**/*.spec.ts'], name: 'browser', timeout: 180_000 },
    ],
    forceExit: true,
  },

  metaFiles: [
    { pattern: 'resources/views/**/*.edge', reloadServer: false },
    { pattern: 'resources/lang/**/*.{json,yaml,yml}', reloadServer: false },
    { pattern: 'public/**', reloadServer: false },
    { pattern: 'docs/openapi.yaml', reloadServer: false },
    { pattern: 'database/data/**', reloadServer: false },
    { pattern: 'database/demo/*.json', reloadServer: false },
    { pattern: 'bin/lib/**', reloadServer: false },
    { pattern: 'docker/**', reloadServer: false },
  ],
})
