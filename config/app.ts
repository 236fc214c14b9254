import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { Secret } from '@adonisjs/core/helpers'
import { defineConfig } from '@adonisjs/core/http'

export const appKey = new Secret(env.get('APP_KEY'))

export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  // The app sits behind a TLS-terminating reverse proxy in production (C 8.5: encrypted transport);
  // trust only loopback/private proxies for X-Forwarded-For so audit records the real client address.
  trustProxy: (address) => address === '127.0.0.1' || address === '::1' || address.startsWith('10.') || address.startsWith('172.') || address.startsWith('192.168.'),
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})
