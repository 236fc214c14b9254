import { createRequire } from 'node:module'
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, normalize, sep } from 'node:path'
import app from '@adonisjs/core/services/app'
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
  if (
    !/^[A-Za-z0-9_\-./]+$/.test(rest) ||
    rest.split('/').some((part) => part === '' || part.startsWith('.'))
  )
    return null
  if (
    [
      'index.html',
      'app-config.js',
      'init-service-worker.js',
      'sw.js',
      '_headers',
      '_redirects',
      'serve.json',
    ].includes(rest)
  )
    return null
  const file = normalize(join(dir, rest))
  if (!file.startsWith(dir + sep)) return null
  try {
    if (!statSync(file).isFile()) return null
  } catch {
    return null
  }
  return /\.(js|css)$/.test(file) ? servedAsset(rest, file) : file
}

/*
| webpack wrote the public path into the bundles' runtimes (`__webpack_require__.p
| = "/"`, the app bundle and its workers) and the stylesheets (`url(/font.woff2)`),
| so chunks and fonts would load from the site root. Those few files are served
| from a copy with "/viewer/" written in, made once per installed version under
| tmp/ (never in memory: the app bundle is 17 MB).
*/
const RUNTIME_PATH = '__webpack_require__.p = "/";'
const assets = new Map<string, string>()

function rewritten(file: string, source: string) {
  if (file.endsWith('.css'))
    return source.includes('url(/') ? source.replace(/url\(\/(?!\/)/g, `url(${VIEWER_BASE}/`) : null
  return source.includes(RUNTIME_PATH)
    ? source.replaceAll(RUNTIME_PATH, `__webpack_require__.p = "${VIEWER_BASE}/";`)
    : null
}

function servedAsset(rest: string, file: string) {
  const known = assets.get(file)
  if (known) return known
  const patched = rewritten(file, readFileSync(file, 'utf8'))
  let served = file
  if (patched !== null) {
    const copy = join(app.tmpPath('viewer', ohifVersion() ?? 'unknown'), rest)
    if (!existsSync(copy)) {
      mkdirSync(dirname(copy), { recursive: true })
      const partial = `${copy}.${process.pid}.part`
      writeFileSync(partial, patched)
      renameSync(partial, copy)
    }
    served = copy
  }
  assets.set(file, served)
  return served
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
export function viewerIndex(options: {
  nonce: string
  lang: string
  extraHead?: string
  extraBody?: string
}) {
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
  return `/** Written by the app (app/viewer/services/ohif_app.ts) for this deployment. */\nwindow.config = ${JSON.stringify(config, null, 2)};\n${CUSTOMIZATIONS}`
}

/*
| What the reading doctor sees on every viewport (C 8.4.1 DICOM overlays):
| patient, study, series and slice position, the window and the zoom, and in
| the top-right corner the mutual-recognition mark of the exam when it earns
| one (R 6.4; the app writes the marks of the studies being opened into the
| page as window.imagingCentre.marks, see viewer_controller.ts). OHIF's
| onboarding tour is off: it covers the image on a reading workstation.
*/
const CUSTOMIZATIONS = `
(function () {
  var item = function (id, title, condition, content) {
    return { id: id, inheritsFrom: 'ohif.overlayItem', label: '', title: title, condition: condition, contentF: content };
  };
  var pn = function (props, value) {
    var f = props.formatters && props.formatters.formatPN;
    return f ? f(value) : String((value && value.Alphabetic) || value || '');
  };
  var date = function (props, value) {
    var f = props.formatters && props.formatters.formatDate;
    return f ? f(value) : value;
  };
  var marks = function () { return (window.imagingCentre && window.imagingCentre.marks) || {}; };
  window.config.customizationService = [{
    'ohif.tours': { $set: [] },
    'viewportOverlay.topLeft': { $set: [
      item('PatientName', 'Patient', function (p) { return p.referenceInstance && p.referenceInstance.PatientName; },
        function (p) { var i = p.referenceInstance; return pn(p, i.PatientName) + (i.PatientSex ? ' ' + i.PatientSex : '') + (i.PatientAge ? ' ' + i.PatientAge : ''); }),
      item('PatientID', 'Patient ID', function (p) { return p.referenceInstance && p.referenceInstance.PatientID; },
        function (p) { return 'ID ' + p.referenceInstance.PatientID; }),
      item('Study', 'Study', function (p) { return p.referenceInstance && (p.referenceInstance.StudyDate || p.referenceInstance.AccessionNumber); },
        function (p) { var i = p.referenceInstance; return [date(p, i.StudyDate), i.AccessionNumber, i.StudyDescription].filter(Boolean).join(' · '); }),
      item('Series', 'Series', function (p) { return p.referenceInstance && (p.referenceInstance.SeriesNumber !== undefined || p.referenceInstance.SeriesDescription); },
        function (p) { var i = p.referenceInstance; return ['S' + (i.SeriesNumber !== undefined ? i.SeriesNumber : '?'), i.Modality, i.SeriesDescription].filter(Boolean).join(' · '); })
    ] },
    'viewportOverlay.topRight': { $set: [
      item('ResultMark', 'Mutual recognition', function (p) { return p.referenceInstance && marks()[p.referenceInstance.StudyInstanceUID]; },
        function (p) { return marks()[p.referenceInstance.StudyInstanceUID]; })
    ] },
    'viewportOverlay.bottomRight': { $set: [
      { id: 'InstanceNumber', inheritsFrom: 'ohif.overlayItem.instanceNumber', title: 'Instance Number' },
      item('SlicePosition', 'Slice position', function (p) {
        var i = p.instance || p.referenceInstance;
        return i && (i.SliceLocation !== undefined || (i.ImagePositionPatient && i.ImagePositionPatient.length === 3));
      }, function (p) {
        var i = p.instance || p.referenceInstance;
        var z = i.SliceLocation !== undefined ? Number(i.SliceLocation) : Number(i.ImagePositionPatient[2]);
        return 'Z ' + (isFinite(z) ? z.toFixed(1) : '?') + ' mm' + (i.SliceThickness ? ' / ' + Number(i.SliceThickness).toFixed(1) + ' mm' : '');
      })
    ] }
  }];
})();
`
