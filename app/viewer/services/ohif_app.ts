import { createRequire } from 'node:module'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, sep } from 'node:path'
import { randomBytes } from 'node:crypto'

/*
| OHIF Viewer v3, from the npm package `@ohif/app` (pinned in package.json): its
| prebuilt `dist/` is served by the app under /viewer, behind the login, with
| an app-config.js the app writes (one DICOMweb data source: the app's own
| /dicomweb proxy). Nothing is downloaded at build or run time. The package's
| index.html is written for the site root (PUBLIC_URL="/"); it is rewritten
| once for /viewer/, without its service worker (which would cache patient
| images in the browser) and with a nonce on its inline scripts.
*/

export const VIEWER_BASE = '/viewer'
export const OHIF_VERSION_PINNED = '3.13.2'

const require = createRequire(import.meta.url)

let distDir: string | null | undefined
/** The package's dist/ folder, or null when `@ohif/app` is not installed. */
export function ohifDist(): string | null {
  if (distDir !== undefined) return distDir
  try {
    const dir = join(dirname(require.resolve('@ohif/app/package.json')), 'dist')
    distDir = existsSync(join(dir, 'index.html')) ? dir : null
  } catch {
    distDir = null
  }
  return distDir
}

export function ohifVersion(): string | null {
  try {
    return JSON.parse(readFileSync(require.resolve('@ohif/app/package.json'), 'utf8')).version
  } catch {
    return null
  }
}

/**
 * A file of the viewer's dist/ named by the rest of the URL, or null. Only
 * plain relative names: no `..`, no encoded characters, no dot-files, no
 * app-config.js (ours is generated).
 */
export function distFile(rest: string): string | null {
  const dir = ohifDist()
  if (!dir || rest === '' || rest.length > 200) return null
  if (!/^[A-Za-z0-9_\-./]+$/.test(rest) || rest.split('/').some((part) => part === '' || part.startsWith('.'))) return null
  if (['index.html', 'app-config.js', 'init-service-worker.js', 'sw.js', '_headers', '_redirects', 'serve.json'].includes(rest)) return null
  const file = normalize(join(dir, rest))
  if (!file.startsWith(dir + sep)) return null
  try {
    return statSync(file).isFile() ? file : null
  } catch {
    return null
  }
}

let template: string | null = null
function indexTemplate() {
  if (template !== null) return template
  const dir = ohifDist()
  if (!dir) throw new Error('@ohif/app is not installed')
  template = readFileSync(join(dir, 'index.html'), 'utf8')
    .replaceAll('window.PUBLIC_URL="/"', `window.PUBLIC_URL="${VIEWER_BASE}/"`)
    .replace(/<script[^>]*init-service-worker\.js[^>]*><\/script>/, '')
    .replace(/<link rel="manifest"[^>]*>/, '')
    .replace(/(href|src)="\/(?!\/)/g, `$1="${VIEWER_BASE}/`)
  return template
}

/** A fresh nonce for the viewer page's inline scripts. */
export function newNonce() {
  return randomBytes(16).toString('base64')
}

/**
 * The viewer's page: OHIF's index.html for /viewer/, its inline scripts
 * carrying the nonce, and `extraBody` (already escaped HTML: the HR mark) at
 * the end of the body.
 */
export function viewerIndex(options: { nonce: string; lang: string; extraHead?: string; extraBody?: string }) {
  return indexTemplate()
    .replace('<html lang="en">', `<html lang="${options.lang}">`)
    .replace(/<script(?=[ >])(?![^>]*\bsrc=)/g, `<script nonce="${options.nonce}"`)
    .replace('</head>', `${options.extraHead ?? ''}</head>`)
    .replace('</body>', `${options.extraBody ?? ''}</body>`)
}

/**
 * The Content-Security-Policy of the viewer's documents and workers: the app's
 * own origin only (no CDN, no other DICOMweb server), WebAssembly for the
 * image codecs, blob: workers, inline styles (React), inline scripts only with
 * the nonce.
 */
export function viewerCsp(nonce?: string) {
  return [
    `default-src 'self'`,
    `script-src 'self' 'wasm-unsafe-eval'${nonce ? ` 'nonce-${nonce}'` : ''}`,
    `worker-src 'self' blob:`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self' data:`,
    `connect-src 'self' data: blob:`,
    `media-src 'self' blob:`,
    `object-src 'none'`,
    `frame-ancestors 'none'`,
    `base-uri 'self'`,
  ].join('; ')
}

/**
 * OHIF's app-config.js: one data source, the app's DICOMweb proxy at
 * `<origin>/dicomweb` (cookies of the same origin carry the session), no study
 * list (studies are opened from the app, one click), no upload (the viewer
 * only reads), the investigational-use dialog off (this is the centre's own
 * deployment).
 */
export function appConfig(origin: string) {
  const root = `${origin}/dicomweb`
  const config = {
    name: 'county-imaging-centre',
    routerBasename: VIEWER_BASE,
    extensions: [],
    modes: [],
    customizationService: {},
    showStudyList: false,
    maxNumberOfWebWorkers: 2,
    showWarningMessageForCrossOrigin: false,
    showCPUFallbackMessage: true,
    showLoadingIndicator: true,
    strictZSpacingForVolumeViewport: true,
    useSharedArrayBuffer: 'FALSE',
    investigationalUseDialog: { option: 'never' },
    maxNumRequests: { interaction: 100, thumbnail: 5, prefetch: 10 },
    showErrorDetails: 'dev',
    defaultDataSourceName: 'imaging-centre',
    dataSources: [
      {
        namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
        sourceName: 'imaging-centre',
        configuration: {
          friendlyName: 'imaging-centre',
          name: 'imaging-centre',
          wadoUriRoot: `${root}/wado`,
          qidoRoot: root,
          wadoRoot: root,
          qidoSupportsIncludeField: false,
          imageRendering: 'wadors',
          thumbnailRendering: 'wadors',
          enableStudyLazyLoad: true,
          supportsFuzzyMatching: false,
          supportsWildcard: true,
          staticWado: false,
          dicomUploadEnabled: false,
          singlepart: 'bulkdata,video',
          bulkDataURI: { enabled: true, relativeResolution: 'studies' },
          omitQuotationForMultipartRequest: true,
        },
      },
    ],
  }
  return `/** Written by the app (app/viewer/services/ohif_app.ts) for this deployment. */\nwindow.config = ${JSON.stringify(config, null, 2)};\n`
}
