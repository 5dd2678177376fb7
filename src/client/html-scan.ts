/**
 * A quick reader of the two things the client takes from the structure of a page: the Keycloak
 * login form (its action and inputs) and the `<option>`s of the meter point list. It walks the tags
 * of the text once and answers only for pages written plainly, where an HTML parser (cheerio on
 * parse5, which `pages.ts` uses otherwise) builds the same elements from the same tags: when
 * something in or around the parts it reads could make the parser's tree differ (a table, template
 * or SVG around them, a form inside a form, an element left open or closed out of order inside the
 * form, any tag inside an option, a character reference other than the common ones, an unclosed
 * comment or script) it answers `undefined` and the caller parses the page with cheerio. So the
 * answers are always cheerio's, and a new process reading a plain page does not load cheerio
 * (which takes longer than the whole login flow's reading). `test/client/html-scan.test.ts`
 * compares both on the documented pages and on many variants.
 */

/** Thrown inside the walk when the page is not plain enough; caught at the top. */
class NotPlain extends Error {}

function notPlain(): never {
  throw new NotPlain();
}

/** Elements whose content is text up to their end tag (parse5 runs with scripting enabled). */
const RAW_TEXT = new Set([
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
]);
/** Elements that have no end tag. */
const VOID = new Set([
  'area',
  'base',
  'basefont',
  'bgsound',
  'br',
  'col',
  'embed',
  'frame',
  'hr',
  'img',
  'image',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
/** Elements whose content is skipped as a whole (their own tree rules); never around what is read. */
const OPAQUE = new Set(['svg', 'math', 'template']);
/** Tags that move or drop content in a parser, or end the tokenizer's normal states. */
const TABLE = new Set(['table', 'caption', 'colgroup', 'col', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th']);
/** Elements the parser closes without an end tag when their parent ends. */
const IMPLIED_END = new Set(['p', 'li', 'dd', 'dt', 'option', 'optgroup', 'rb', 'rp', 'rt', 'rtc']);

/** The named character references decoded here (with their semicolon); others are not plain. */
const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  oacute: 'ó',
  Oacute: 'Ó',
  aogon: 'ą',
  Aogon: 'Ą',
  cacute: 'ć',
  Cacute: 'Ć',
  eogon: 'ę',
  Eogon: 'Ę',
  lstrok: 'ł',
  Lstrok: 'Ł',
  nacute: 'ń',
  Nacute: 'Ń',
  sacute: 'ś',
  Sacute: 'Ś',
  zacute: 'ź',
  Zacute: 'Ź',
  zdot: 'ż',
  Zdot: 'Ż',
};

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** A code point a numeric reference may give here (no controls, surrogates or replacements). */
function plainCodePoint(n: number): boolean {
  return (
    (n >= 0x20 && n <= 0x7e) ||
    (n >= 0xa0 && n <= 0xd7ff) ||
    (n >= 0xe000 && n <= 0xfffd) ||
    (n >= 0x10000 && n <= 0x10fffd)
  );
}

/** Text or an attribute value with its character references decoded. */
function decode(raw: string): string {
  let at = raw.indexOf('&');
  if (at < 0) return raw;
  let out = '';
  let from = 0;
  while (at >= 0) {
    out += raw.slice(from, at);
    const c = raw.charCodeAt(at + 1);
    if (c === 35 /* # */) {
      const m = /^&#(?:([0-9]{1,7})|[xX]([0-9a-fA-F]{1,6}));/.exec(raw.slice(at, at + 12));
      if (!m) notPlain();
      const n = m[1] !== undefined ? Number(m[1]) : parseInt(m[2], 16);
      if (!plainCodePoint(n)) notPlain();
      out += String.fromCodePoint(n);
      from = at + m[0].length;
    } else if (isAlnum(c)) {
      let end = at + 1;
      while (end < raw.length && isAlnum(raw.charCodeAt(end))) end++;
      const name = raw.slice(at + 1, end);
      if (raw.charCodeAt(end) !== 59 /* ; */ || !Object.prototype.hasOwnProperty.call(NAMED, name))
        notPlain();
      out += NAMED[name];
      from = end + 1;
    } else {
      out += '&';
      from = at + 1;
    }
    at = raw.indexOf('&', from);
  }
  return out + raw.slice(from);
}

/** One tag of the page. */
interface Tag {
  /** Lower-case name. */
  name: string;
  /** True for `</name>`. */
  end: boolean;
  /** Raw attribute values by lower-case name, the first of a name kept (start tags). */
  attrs: Map<string, string>;
  /** True when the start tag ends with `/>`. */
  selfClosing: boolean;
  /** Where the tag starts (`<`) and the index after its `>`. */
  start: number;
  next: number;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Reads the tag at `lt` (a `<` followed by a letter, or `</` and a letter). */
function readTag(html: string, lt: number): Tag {
  const end = html.charCodeAt(lt + 1) === 47;
  let i = lt + (end ? 2 : 1);
  const nameStart = i;
  while (i < html.length) {
    const c = html.charCodeAt(i);
    if (isSpace(c) || c === 47 || c === 62) break;
    i++;
  }
  const name = html.slice(nameStart, i).toLowerCase();
  const attrs = new Map<string, string>();
  let selfClosing = false;
  for (;;) {
    while (i < html.length && (isSpace(html.charCodeAt(i)) || html.charCodeAt(i) === 47)) {
      selfClosing = html.charCodeAt(i) === 47 && html.charCodeAt(i + 1) === 62;
      i++;
    }
    if (i >= html.length) notPlain(); // a tag cut off by the end of the page is dropped
    if (html.charCodeAt(i) === 62) return { name, end, attrs, selfClosing, start: lt, next: i + 1 };
    selfClosing = false;
    const attrStart = i;
    i++; // the first character belongs to the name, even `=`
    while (i < html.length) {
      const c = html.charCodeAt(i);
      if (isSpace(c) || c === 47 || c === 62 || c === 61) break;
      i++;
    }
    const attr = html.slice(attrStart, i).toLowerCase();
    while (i < html.length && isSpace(html.charCodeAt(i))) i++;
    let value = '';
    if (html.charCodeAt(i) === 61) {
      i++;
      while (i < html.length && isSpace(html.charCodeAt(i))) i++;
      const q = html.charCodeAt(i);
      if (q === 34 || q === 39) {
        const close = html.indexOf(q === 34 ? '"' : "'", i + 1);
        if (close < 0) notPlain();
        value = html.slice(i + 1, close);
        i = close + 1;
      } else {
        const valueStart = i;
        while (i < html.length && !isSpace(html.charCodeAt(i)) && html.charCodeAt(i) !== 62) i++;
        value = html.slice(valueStart, i);
      }
    }
    if (!attrs.has(attr)) attrs.set(attr, value);
  }
}

/** One step of the walk: a tag, or nothing more to read. */
type Step = Tag | undefined;

/**
 * Walks the tags of a page in order, skipping comments, doctype and processing instructions, the
 * text of raw-text elements and the content of SVG, MathML and templates (which must not hold a
 * form, input, select or option). Text between tags is left for the caller to slice.
 */
class TagWalker {
  private at = 0;
  private lowerText: string | undefined;
  constructor(readonly html: string) {}

  /** The page in lower case, made when first needed. */
  private get lower(): string {
    return (this.lowerText ??= this.html.toLowerCase());
  }

  next(): Step {
    const html = this.html;
    for (;;) {
      const lt = html.indexOf('<', this.at);
      if (lt < 0) return undefined;
      const c = html.charCodeAt(lt + 1);
      if (c === 33 /* ! */) {
        if (html.startsWith('<!--', lt)) {
          if (html.startsWith('<!-->', lt)) this.at = lt + 5;
          else if (html.startsWith('<!--->', lt)) this.at = lt + 6;
          else {
            const close = html.indexOf('--', lt + 4);
            const end = close < 0 ? -1 : this.commentEnd(close);
            if (end < 0) notPlain();
            this.at = end;
          }
          return {
            name: '#comment',
            end: false,
            attrs: new Map(),
            selfClosing: false,
            start: lt,
            next: this.at,
          };
        }
        if (html.startsWith('<![CDATA[', lt)) notPlain();
        this.bogus(lt);
        continue;
      }
      if (c === 63 /* ? */) {
        this.bogus(lt);
        continue;
      }
      if (c === 47 /* / */) {
        const d = html.charCodeAt(lt + 2);
        if (d === 62) {
          this.at = lt + 3;
          continue;
        }
        if (!isLetter(d)) {
          this.bogus(lt);
          continue;
        }
      } else if (!isLetter(c)) {
        this.at = lt + 1;
        continue;
      }
      const tag = readTag(html, lt);
      this.at = tag.next;
      if (!tag.end) {
        if (tag.name === 'plaintext' || tag.name === 'frameset') notPlain();
        if (RAW_TEXT.has(tag.name)) this.skipRawText(tag.name);
        else if (OPAQUE.has(tag.name) && !(tag.selfClosing && tag.name !== 'template'))
          this.skipOpaque(tag.name);
      }
      return tag;
    }
  }

  /** The index after a comment's end, looking from the first `--` after its start; -1 when none. */
  private commentEnd(from: number): number {
    const html = this.html;
    for (let i = from; i >= 0; i = html.indexOf('--', i + 1)) {
      if (html.charCodeAt(i + 2) === 62) return i + 3;
      if (html.charCodeAt(i + 2) === 33 && html.charCodeAt(i + 3) === 62) return i + 4;
    }
    return -1;
  }

  /** `<!…>`, `<?…>` or `</` and no letter: a comment up to the next `>`. */
  private bogus(lt: number): void {
    const gt = this.html.indexOf('>', lt + 2);
    if (gt < 0) notPlain();
    this.at = gt + 1;
  }

  private skipRawText(name: string): void {
    const lower = this.lower;
    const re = new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'g');
    re.lastIndex = this.at;
    const m = re.exec(lower);
    if (!m) notPlain();
    // a script holding `<!--` can hide its end tag from the tokenizer
    if (name === 'script' && lower.slice(this.at, m.index).includes('<!--')) notPlain();
    this.at = m.index;
  }

  private skipOpaque(name: string): void {
    const lower = this.lower;
    const re = new RegExp(`<(/?)${name}[\\t\\n\\f\\r />]`, 'g');
    re.lastIndex = this.at;
    let depth = 1;
    for (let m = re.exec(lower); m; m = re.exec(lower)) {
      depth += m[1] ? -1 : 1;
      if (depth === 0) {
        if (/<\/?(?:form|input|select|option)[\t\n\f\r />]/.test(lower.slice(this.at, m.index))) notPlain();
        this.at = m.index;
        return;
      }
    }
    notPlain();
  }
}

/** The page as the parser's input stream sees it (line breaks normalised), or not plain (NUL). */
function prepare(html: string): string {
  if (html.includes('\0')) notPlain();
  return html.includes('\r') ? html.replace(/\r\n?/g, '\n') : html;
}

/** What the login form reader gives, the same as cheerio's reading. */
export interface ScannedForm {
  /** The `action` attribute, decoded (undefined when the form has none). */
  action: string | undefined;
  /** The form's inputs in order: `type`, `name` and `value` attributes, decoded. */
  inputs: { type: string | undefined; name: string | undefined; value: string | undefined }[];
}

/**
 * The first `form` element with the id `id` and its inputs; null when the page has no such form;
 * undefined when the page is not plain enough to say without a parser.
 */
export function scanForm(source: string, id: string): ScannedForm | null | undefined {
  try {
    const walker = new TagWalker(prepare(source));
    let tableDepth = 0;
    let formOpen = false;
    let inSelect = false;
    for (let tag = walker.next(); tag; tag = walker.next()) {
      if (tag.name === 'table') tableDepth = Math.max(0, tableDepth + (tag.end ? -1 : 1));
      if (inSelect) {
        // a select drops or ends at most tags; only its own end is read on
        if (tag.name === 'select' && tag.end) inSelect = false;
        else if (['form', 'select', 'input', 'keygen', 'textarea', 'table'].includes(tag.name))
          return undefined;
        continue;
      }
      if (tag.name === 'select' && !tag.end) {
        if (tableDepth > 0) return undefined;
        inSelect = true;
        continue;
      }
      if (tag.name !== 'form') continue;
      if (tag.end) {
        formOpen = false;
        continue;
      }
      const matches = tag.attrs.has('id') && decode(tag.attrs.get('id') as string) === id;
      if (formOpen || tableDepth > 0) {
        // the parser drops a form inside a form, and moves one inside a table
        if (matches) return undefined;
        formOpen = true;
        continue;
      }
      formOpen = true;
      if (!matches) continue;
      return readFormContent(walker, tag);
    }
    return null;
  } catch (err) {
    if (err instanceof NotPlain) return undefined;
    throw err;
  }
}

function readFormContent(walker: TagWalker, form: Tag): ScannedForm {
  const rawAction = form.attrs.get('action');
  const inputs: ScannedForm['inputs'] = [];
  const open: string[] = [];
  const attr = (t: Tag, name: string) => {
    const v = t.attrs.get(name);
    return v === undefined ? undefined : decode(v);
  };
  for (let tag = walker.next(); tag; tag = walker.next()) {
    const name = tag.name;
    if (name === '#comment') continue;
    if (tag.end) {
      if (name === 'form') {
        while (open.length > 0 && IMPLIED_END.has(open[open.length - 1])) open.pop();
        if (open.length > 0) notPlain();
        return { action: rawAction === undefined ? undefined : decode(rawAction), inputs };
      }
      const i = open.lastIndexOf(name);
      if (i >= 0) open.length = i;
      else if (name !== 'p' && name !== 'br') notPlain();
      continue;
    }
    if (name === 'form' || name === 'select' || TABLE.has(name) || OPAQUE.has(name)) notPlain();
    if ((name === 'a' || name === 'button' || name === 'nobr') && open.includes(name)) notPlain();
    if (name === 'input') {
      inputs.push({ type: attr(tag, 'type'), name: attr(tag, 'name'), value: attr(tag, 'value') });
    }
    if (!VOID.has(name)) open.push(name);
  }
  return notPlain();
}

/** One `<option>` as cheerio reads it. */
export interface ScannedOption {
  /** The `value` attribute, decoded. */
  value: string | undefined;
  /** The `data-data` attribute, decoded. */
  dataData: string | undefined;
  /** The option's text, decoded. */
  text: string;
}

/**
 * Every `<option>` of the page in order; undefined when the page is not plain enough to say
 * without a parser (an option outside a select, a tag other than an option's inside a select, a
 * select in a table or in a select, …).
 */
export function scanOptions(source: string): ScannedOption[] | undefined {
  try {
    const html = prepare(source);
    const walker = new TagWalker(html);
    const out: ScannedOption[] = [];
    let tableDepth = 0;
    let inSelect = false;
    let option: { tag: Tag } | undefined;
    const closeOption = (at: number) => {
      if (!option) return;
      const t = option.tag;
      const value = t.attrs.get('value');
      const dataData = t.attrs.get('data-data');
      out.push({
        value: value === undefined ? undefined : decode(value),
        dataData: dataData === undefined ? undefined : decode(dataData),
        text: decode(html.slice(t.next, at)),
      });
      option = undefined;
    };
    for (let tag = walker.next(); tag; tag = walker.next()) {
      const name = tag.name;
      if (!inSelect) {
        if (name === 'table') tableDepth = Math.max(0, tableDepth + (tag.end ? -1 : 1));
        if (name === 'option' || name === 'optgroup') notPlain();
        if (name === 'select' && !tag.end) {
          if (tableDepth > 0) notPlain();
          inSelect = true;
        }
        continue;
      }
      if (name === '#comment') {
        if (option) notPlain();
        continue;
      }
      if (name === 'option' || name === 'optgroup') {
        closeOption(tag.start);
        if (name === 'option' && !tag.end) option = { tag };
        continue;
      }
      if (name === 'select' && tag.end) {
        closeOption(tag.start);
        inSelect = false;
        continue;
      }
      notPlain();
    }
    if (option) notPlain();
    return out;
  } catch (err) {
    if (err instanceof NotPlain) return undefined;
    throw err;
  }
}
