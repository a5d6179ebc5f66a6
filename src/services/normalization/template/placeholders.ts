/**
 * The placeholders a template may contain, each naming the kind of value it replaced (the list, with
 * examples, is in ../template.ts). A placeholder met in a message stays as it is (token.ts), so templating a
 * template gives the same template.
 */
export const PLACEHOLDER = {
  uuid: '<uuid>',
  host: '<host>',
  number: '<number>',
  hex: '<hex>',
  id: '<id>',
  path: '<path>',
  url: '<url>',
  email: '<email>',
  datetime: '<datetime>',
  time: '<time>',
  size: '<size>',
  version: '<version>',
  str: '<str>',
  user: '<user>',
  bool: '<bool>',
  null: '<null>',
  any: '<*>',
} as const;

export type PlaceholderKind = keyof typeof PLACEHOLDER;

/** Every placeholder messageTemplate writes. */
export const TEMPLATE_PLACEHOLDERS: readonly string[] = Object.values(PLACEHOLDER);

const GENERIC = new RegExp(`<number>[A-Za-z]*|${TEMPLATE_PLACEHOLDERS.filter((p) => p !== PLACEHOLDER.number).map((p) => p.replace('*', '\\*')).join('|')}`, 'g');

/**
 * The template with each of log0's placeholders written `<*>`, the generic placeholder of log-parsing
 * benchmarks and log parsers. A unit glued to a number belongs to the value (`<number>ms` → `<*>`).
 * For comparison with other tools only: log0 groups logs by its own, typed placeholders.
 */
export function genericTemplate(template: string): string {
  return template.replace(GENERIC, '<*>');
}

const NAMES = new Set(TEMPLATE_PLACEHOLDERS.map((p) => p.slice(1, -1)));
const LONGEST = Math.max(...TEMPLATE_PLACEHOLDERS.map((p) => p.length));

/** Length of the placeholder at text[start] (a `<` there), or 0. */
export function placeholderAt(text: string, start: number, end = text.length): number {
  const limit = Math.min(end, start + LONGEST);
  for (let i = start + 1; i < limit; i++) {
    if (text.charCodeAt(i) === 0x3e) return NAMES.has(text.slice(start + 1, i)) ? i + 1 - start : 0;
  }
  return 0;
}
