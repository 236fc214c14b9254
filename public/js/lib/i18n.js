// Every string a browser script shows comes from resources/lang/{zh-CN,en}: the view renders the keys a script
// needs, either as JSON in a data-messages attribute of the element the script drives, or as a
// <script type="application/json" id="…"> block (see docs/architecture.md, "Browser scripts").

/** The strings in an element's data-messages attribute ({} when there are none). */
export function messagesOf(element) {
  return JSON.parse((element && element.dataset.messages) || '{}')
}

/** The strings in a <script type="application/json" id="…"> block ({} when the page has none). */
export function messagesBlock(id) {
  const block = document.getElementById(id)
  return block ? JSON.parse(block.textContent || '{}') : {}
}

/** Fills {name} placeholders (left by i18n.t on the server) with values; a missing value leaves nothing. */
export function fill(template, values = {}) {
  return String(template ?? '').replace(/\{(\w+)\}/g, (_match, key) =>
    values[key] === undefined || values[key] === null ? '' : String(values[key])
  )
}
