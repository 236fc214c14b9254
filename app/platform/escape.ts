const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text made safe to place inside HTML or SVG/XML markup (element content and quoted attributes). */
export function escapeMarkup(text: string) {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c])
}
