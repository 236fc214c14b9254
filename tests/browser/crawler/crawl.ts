/// <reference lib="dom" />
/*
| The crawler: one person (a demo login) in one language, in real Chromium.
| From the home page and every menu link it follows links two deep, submits
| every GET form as the page leaves it (defaults, empty fields), fetches every
| download, and records what a person must never see: a status ≥ 500 (of the
| page or of anything it loads), a script error, a stack trace, a file path, an
| untranslated key, English in the Chinese interface or Chinese in the English
| one (patient and clinical data removed first, see text_rules.ts).
|
| Pages that differ only by their ids are one page to it (`/exams/5` and
| `/exams/6` are `/exams/:id`): it opens one of each, which keeps a role's
| crawl to a few dozen loads.
*/
import type { Browser, BrowserContext, Page, Response } from 'playwright-core'
import { secondFactor } from '../../support/totp.js'
import { judgeText, type DataDictionary, type Locale, type TextFinding } from './text_rules.js'

export interface Problem {
  who: string
  url: string
  rule:
    | TextFinding['rule']
    | 'server_error'
    | 'script_error'
    | 'filter_refused'
    | 'status'
    | 'not_styled'
    | 'not_json'
    | 'login'
  detail: string
  text?: string
}

export interface CrawlResult {
  who: string
  pages: string[]
  downloads: string[]
  forms: string[]
  problems: Problem[]
}

export interface CrawlOptions {
  baseUrl: string
  username: string
  password: string
  locale: Locale
  dictionary?: DataDictionary
  /** Links followed from the menu pages (the menu pages are depth 0). */
  depth?: number
  /** Stop after this many page loads (a safety net; a role needs far fewer). */
  maxPages?: number
}

const DOWNLOAD =
  /\.(pdf|csv|xlsx|xls|zip|dcm|yaml|json)(\?|$)|\/(pdf|xlsx|csv)(\?|$)|\/export(\?|$)/
const NEVER = [
  /^\/logout/,
  /^\/socket\.io/,
  /^\/api\//,
  /^\/(css|js|ohif|viewer-assets)\//,
  /^\/viewer(\/|$)/,
  /^\/exams\/\d+\/viewer$/,
  /^\/dicomweb\//,
  /\/instances\//,
  /\/series(\?|$)/,
]

/**
 * `/exams/12/report?x=1` → `/exams/:id/report`: one page per template. A
 * filtered list is the same page (its filter form is submitted separately).
 */
export function pagePattern(url: URL) {
  return url.pathname
    .replace(/\/\d+(?=\/|$)/g, '/:id')
    .replace(/\/[0-9a-f]{8}-[0-9a-f-]{27,}(?=\/|$)/gi, '/:uuid')
}

/** Everything a person reads on the page, one entry per text node or text attribute. */
function pageTexts() {
  const out: string[] = []
  const pageLang = document.documentElement.lang
  // Code samples, and what is marked as written in another language (the language switch's own names), are not the page's prose.
  const foreign = (el: Element) =>
    !!el.closest('code, pre, kbd, samp') ||
    (el.closest('[lang]')?.getAttribute('lang') ?? pageLang) !== pageLang
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement
    if (!parent || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(parent.tagName) || foreign(parent))
      continue
    const text = node.textContent?.trim()
    if (text) out.push(text)
  }
  const collect = (value: unknown) => {
    if (typeof value === 'string') {
      if (value.trim()) out.push(value.trim())
    } else if (Array.isArray(value)) value.forEach(collect)
    else if (value && typeof value === 'object') Object.values(value).forEach(collect)
  }
  for (const el of Array.from(document.querySelectorAll('*'))) {
    if (foreign(el)) continue
    for (const attr of ['placeholder', 'title', 'aria-label', 'alt', 'data-confirm']) {
      const value = el.getAttribute(attr)
      if (value) out.push(value)
    }
    if (el instanceof HTMLInputElement && ['submit', 'button'].includes(el.type) && el.value)
      out.push(el.value)
    for (const attr of Array.from(el.attributes)) {
      // Strings the page's scripts show later (data-messages, data-labels…): JSON objects of messages.
      if (attr.name.startsWith('data-') && /^\s*[{[]/.test(attr.value)) {
        try {
          collect(JSON.parse(attr.value))
        } catch {}
      }
    }
  }
  out.push(document.title)
  return out
}

function pageLinks() {
  return Array.from(document.querySelectorAll('a[href]'))
    .map((a) => (a as HTMLAnchorElement).href)
    .filter((href) => href.startsWith(location.origin))
}

/** Each GET form's URL as the browser would build it from the form left as the page shows it. */
function pageForms() {
  return Array.from(document.querySelectorAll('form'))
    .filter((form) => (form.getAttribute('method') || 'get').toLowerCase() === 'get')
    .map((form) => {
      const action = new URL(form.getAttribute('action') || location.pathname, location.href)
      const data = new FormData(form)
      const submitter = form.querySelector(
        'button[type=submit][name], input[type=submit][name]'
      ) as HTMLButtonElement | null
      if (submitter?.name) data.append(submitter.name, submitter.value)
      action.search = new URLSearchParams(data as any).toString()
      return { url: action.href, filtersItsPage: action.pathname === location.pathname }
    })
}

/** A request through the browser's context, retried once when a kept-alive socket was closed under it. */
async function requestWithRetry<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send()
  } catch (error) {
    if (!/ECONNRESET|socket hang up/.test(String((error as Error).message))) throw error
    return send()
  }
}

export class Crawler {
  problems: Problem[] = []
  protected context!: BrowserContext
  protected page!: Page
  protected seenPatterns = new Set<string>()
  protected pages: string[] = []
  protected downloads: string[] = []
  protected forms: string[] = []
  protected current = ''

  constructor(
    protected browser: Browser,
    protected options: CrawlOptions
  ) {}

  get who() {
    return `${this.options.username}/${this.options.locale}`
  }

  /** The language switch of the top bar, as a person uses it (its form is submitted directly: an alert may cover the page). */
  async switchLanguage(locale: Locale) {
    this.options.locale = locale
    // From a page of the application (an error page may have no switch).
    await this.page.goto(this.options.baseUrl + '/', { waitUntil: 'domcontentloaded' })
    if ((await this.page.getAttribute('html', 'lang')) === locale) return
    await Promise.all([
      this.page.waitForNavigation(),
      this.page.evaluate((wanted) => {
        const form = document.querySelector('form[action="/locale"]') as HTMLFormElement
        ;(form.elements.namedItem('locale') as HTMLSelectElement).value = wanted
        form.submit()
      }, locale),
    ])
  }

  /**
   * The pages the first crawl found, read again in another language and
   * judged for it (the filtered lists are the same templates as the lists).
   */
  async revisit(result: CrawlResult) {
    for (const path of result.pages) {
      const url = this.options.baseUrl + path
      this.current = url
      const response = await this.page
        .goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 })
        .catch(() => null)
      if ((response?.status() ?? 0) >= 500) continue // already reported by the response listener
      await this.judgePage(url)
    }
  }

  protected problem(url: string, rule: Problem['rule'], detail: string, text?: string) {
    this.problems.push({
      who: this.who,
      url: url.replace(this.options.baseUrl, ''),
      rule,
      detail,
      text,
    })
  }

  async open() {
    const { baseUrl, locale } = this.options
    this.context = await this.browser.newContext({
      locale: locale === 'en' ? 'en-US' : 'zh-CN',
      acceptDownloads: false,
    })
    // Live pushes are not what the crawler looks at; pages must render without them.
    await this.context.route('**/socket.io/**', (route) => route.abort())
    // Thumbnails and frames are rendered by Orthanc and tested where they are made; the words around them are what is crawled here.
    await this.context.route('**/*', (route) =>
      ['image', 'media', 'font'].includes(route.request().resourceType())
        ? route.abort()
        : route.fallback()
    )
    this.context.on('response', (response: Response) => {
      if (response.status() >= 500 && response.url().startsWith(baseUrl)) {
        this.problem(
          this.current,
          'server_error',
          `${response.status()} ${response.request().method()} ${response.url().replace(baseUrl, '')}`
        )
      }
    })
    this.page = await this.context.newPage()
    // A script that throws (or a promise nobody catches) is a problem; so is a script or stylesheet that does not
    // load (a module that fails to import leaves no page error, only a console line and a 4xx) and any other
    // console error the page's own scripts log. "Failed to load resource" lines are judged from the responses
    // instead: the crawler itself aborts images and socket.io, and opens 403/404 pages on purpose.
    this.page.on('pageerror', (error) => this.problem(this.current, 'script_error', error.message))
    this.page.on('console', (message) => {
      if (message.type() !== 'error' || /^Failed to load resource/.test(message.text())) return
      this.problem(this.current, 'script_error', `console: ${message.text()}`)
    })
    this.page.on('response', (response) => {
      const type = response.request().resourceType()
      if (['script', 'stylesheet'].includes(type) && response.status() >= 400)
        this.problem(
          this.current,
          'script_error',
          `${type} ${response.url().replace(baseUrl, '')} answered ${response.status()}`
        )
    })
    this.page.on('dialog', (dialog) => dialog.dismiss().catch(() => {}))

    this.current = baseUrl + '/login'
    await this.page.goto(this.current)
    await this.page.fill('input[name=username]', this.options.username)
    await this.page.fill('input[name=password]', this.options.password)
    await Promise.all([this.page.waitForLoadState('load'), this.page.click('button[type=submit]')])
    await secondFactor(this.page, this.options.username)
    if (new URL(this.page.url()).pathname.startsWith('/login')) {
      this.problem(
        this.current,
        'login',
        `could not log in as ${this.options.username}: ${await this.page.locator('.flash').allTextContents()}`
      )
      return false
    }
    await this.switchLanguage(locale)
    return true
  }

  /** The crawler's own test: serves `source` in place of the script at `path` (so a planted error must be found). */
  async replaceScript(path: string, source: string) {
    await this.context.route(this.options.baseUrl + path, (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: source })
    )
  }

  /** The crawler's own test: opens one page and judges it as the crawl would. */
  async check(path: string) {
    await this.visit(this.options.baseUrl + path)
  }

  async close() {
    await this.context?.close()
  }

  /** Opens the page, judges it and returns its links and forms (null when it was not a page). */
  protected async visit(url: string) {
    this.current = url
    let response: Response | null
    try {
      response = await this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 })
    } catch (error) {
      this.problem(url, 'status', `did not load: ${(error as Error).message.split('\n')[0]}`)
      return null
    }
    this.pages.push(url.replace(this.options.baseUrl, ''))
    const status = response?.status() ?? 0
    await this.judgePage(url)
    if (status >= 400 && status < 500)
      this.problem(url, 'status', `answered ${status} to a link the interface showed`)
    if (status >= 400) return null
    return {
      links: await this.page.evaluate(pageLinks),
      forms: await this.page.evaluate(pageForms),
    }
  }

  protected async judgePage(url: string) {
    const texts = await this.page.evaluate(pageTexts)
    const seen = new Set<string>()
    for (const text of texts) {
      if (seen.has(text)) continue
      seen.add(text)
      for (const finding of judgeText(text, this.options.locale, this.options.dictionary)) {
        this.problem(url, finding.rule, finding.detail, finding.text)
      }
    }
  }

  protected async fetchDownload(url: string) {
    this.current = url
    const response = await requestWithRetry(() =>
      this.context.request.get(url, { maxRedirects: 0, timeout: 60_000 })
    )
    this.downloads.push(url.replace(this.options.baseUrl, ''))
    if (response.status() >= 500) this.problem(url, 'server_error', `${response.status()} download`)
  }

  /** Menu pages, then links and forms up to `depth` steps from them. */
  async crawl(): Promise<CrawlResult> {
    const { baseUrl, depth = 2, maxPages = 200 } = this.options
    await this.page.goto(baseUrl + '/')
    const menu = await this.page.evaluate(() =>
      Array.from(document.querySelectorAll('header a[href], nav a[href]')).map(
        (a) => (a as HTMLAnchorElement).href
      )
    )
    let frontier = [baseUrl + '/', ...menu]
    for (let level = 0; level <= depth && frontier.length; level++) {
      const next: string[] = []
      for (const target of frontier) {
        if (this.pages.length >= maxPages) break
        const url = new URL(target)
        if (!url.href.startsWith(baseUrl) || NEVER.some((re) => re.test(url.pathname))) continue
        url.hash = ''
        const pattern = pagePattern(url)
        if (this.seenPatterns.has(pattern)) continue
        this.seenPatterns.add(pattern)
        if (DOWNLOAD.test(url.pathname + url.search)) {
          await this.fetchDownload(url.href)
          continue
        }
        const found = await this.visit(url.href)
        if (!found) continue
        next.push(...found.links)
        for (const form of found.forms) {
          const formUrl = new URL(form.url)
          const key =
            'form ' +
            pagePattern(formUrl) +
            '?' +
            [...new Set(formUrl.searchParams.keys())].sort().join('&')
          if (this.seenPatterns.has(key)) continue
          this.seenPatterns.add(key)
          if (DOWNLOAD.test(formUrl.pathname)) {
            await this.fetchDownload(formUrl.href)
            continue
          }
          await this.submitForm(form.url, form.filtersItsPage)
        }
      }
      frontier = next
    }
    return {
      who: this.who,
      pages: this.pages,
      downloads: this.downloads,
      forms: this.forms,
      problems: this.problems,
    }
  }

  /** A GET form submitted as the page leaves it: a filter form must show its page filtered, without a complaint. */
  protected async submitForm(url: string, filtersItsPage: boolean) {
    this.forms.push(url.replace(this.options.baseUrl, ''))
    const before = new URL(url).pathname
    this.current = url
    const response = await this.page
      .goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 })
      .catch(() => null)
    const status = response?.status() ?? 0
    await this.judgePage(url)
    if (!filtersItsPage) return
    const after = new URL(this.page.url())
    const refusal = (await this.page.locator('.flash.error, .field-error').allTextContents())
      .map((t) => t.trim())
      .filter(Boolean)
    if (status >= 400 || after.pathname !== before || refusal.length) {
      this.problem(
        url,
        'filter_refused',
        `filter submitted with its defaults: ${status} at ${after.pathname}${refusal.length ? ` — ${refusal.join(' | ')}` : ''}`
      )
    }
  }

  /** A URL nobody links to, a record that does not exist and a page this person may not open. */
  async errorPages(forbiddenUrl: string | null, missingUrl: string | null) {
    const { baseUrl } = this.options
    const cases: Array<[string, number]> = [
      [`${baseUrl}/no-such-page-${Date.now().toString(36)}`, 404],
    ]
    if (missingUrl) cases.push([baseUrl + missingUrl, 404])
    if (forbiddenUrl) cases.push([baseUrl + forbiddenUrl, 403])
    for (const [url, expected] of cases) {
      this.current = url
      const response = await this.page.goto(url, { waitUntil: 'load' }).catch(() => null)
      const status = response?.status() ?? 0
      if (status !== expected) this.problem(url, 'status', `expected ${expected}, got ${status}`)
      // The same page as every other: the top bar with this person's name, in their language.
      const styled =
        (await this.page.locator('header.topbar').count()) > 0 &&
        (await this.page.getAttribute('html', 'lang')) === this.options.locale
      if (!styled)
        this.problem(
          url,
          'not_styled',
          `the ${expected} page is not the application's own page in ${this.options.locale}`
        )
      await this.judgePage(url)
    }
  }

  /** The JSON API answers an unknown URL in JSON, never with a page or a trace. */
  async apiUnknown() {
    const url = `${this.options.baseUrl}/api/v1/no-such-endpoint`
    const response = await requestWithRetry(() =>
      this.context.request.get(url, { headers: { Accept: 'application/json' } })
    )
    const body = await response.text()
    let json: any = null
    try {
      json = JSON.parse(body)
    } catch {}
    if (response.status() !== 404 && response.status() !== 401)
      this.problem(url, 'status', `API: expected 404, got ${response.status()}`)
    if (!json || !Array.isArray(json.errors))
      this.problem(url, 'not_json', `API answered: ${body.slice(0, 120)}`)
    if (/\bat \S+:\d+:\d+|node_modules/.test(body))
      this.problem(url, 'stack_trace', 'API answer contains a stack trace')
  }
}
