import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { Secret } from '@adonisjs/core/helpers'
import { defineConfig } from '@adonisjs/core/http'

export const appKey = new Secret(env.get('APP_KEY'))

const trustedProxies = new Set(
  (env.get('TRUSTED_PROXIES') || '')
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean)
)

export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  // The app sits behind a TLS-terminating reverse proxy in production (C 8.5: encrypted transport).
  // X-Forwarded-For/-Proto are believed only from the proxies named in TRUSTED_PROXIES (exact addresses,
  // comma-separated; none by default): a clinic PC on the private network cannot forge the audited IP.
  trustProxy: (address) => trustedProxies.has(address),
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})
