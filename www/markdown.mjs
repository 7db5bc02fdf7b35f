// The user guide's Markdown to HTML, at build time, so the page and the README share one source.
//
// Deliberately small: ATX headings, paragraphs, bullet and numbered lists (one level, with
// continuation lines), fenced code blocks, inline code, **strong**, *emphasis* and links. Every
// character of the source is escaped; only the tags written below are ever produced, and link
// targets are limited to web, mail and in-page addresses, so the guide cannot inject markup.

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text) {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const SAFE_HREF = /^(?:https?:\/\/|mailto:|#|\.{0,2}\/|[\w.-]+(?:\/[\w.-]*)*(?:#[\w-]*)?$)/i;

/** Inline Markdown of one block's text: code spans first, so nothing inside them is styled. */
function inline(text) {
  const parts = text.split(/(`[^`]*`)/);
  return parts
    .map((part, index) => {
      if (index % 2 === 1) {
        return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      }
      return styleText(part);
    })
    .join('');
}

function styleText(text) {
  let out = '';
  let rest = text;
  const link = /\[([^\]]+)\]\(([^)\s]+)\)/;
  for (let match = link.exec(rest); match; match = link.exec(rest)) {
    out += emphasis(escapeHtml(rest.slice(0, match.index)));
    const [, label, href] = match;
    out += SAFE_HREF.test(href)
      ? `<a href="${escapeHtml(href)}">${emphasis(escapeHtml(label))}</a>`
      : emphasis(escapeHtml(match[0]));
    rest = rest.slice(match.index + match[0].length);
  }
  return out + emphasis(escapeHtml(rest));
}

/** `**x**` and `*x*` on already escaped text (escaping leaves `*` alone). */
function emphasis(escaped) {
  return escaped
    .replace(/\*\*(\S(?:[^*]*\S)?)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*(\S(?:[^*]*\S)?)\*(?![*\w])/g, '$1<em>$2</em>');
}

/**
 * Converts Markdown to HTML.
 * @param {string} markdown
 * @param {{headingOffset?: number}} options headingOffset is added to every heading level
 *   (capped at 6), so a guide whose top headings are `##` can sit under the page's own `h2`.
 * @returns {string}
 */
export function markdownToHtml(markdown, { headingOffset = 0 } = {}) {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const html = [];
  let paragraph = [];
  let list = null; // { tag, items: string[][] }

  const flushParagraph = () => {
    if (paragraph.length > 0) {
      html.push(`<p>${inline(paragraph.join(' '))}</p>`);
      paragraph = [];
    }
  };
  const flushList = () => {
    if (list) {
      const items = list.items.map((item) => `<li>${inline(item.join(' '))}</li>`);
      html.push(`<${list.tag}>\n${items.join('\n')}\n</${list.tag}>`);
      list = null;
    }
  };

  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const fence = /^\s*(```+|~~~+)/.exec(line);
    if (fence) {
      flushParagraph();
      flushList();
      const code = [];
      i += 1;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence[1])) {
        code.push(lines[i]);
        i += 1;
      }
      html.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    if (line.trim() === '') {
      flushParagraph();
      // A blank line inside a list ends the item but not the list.
      if (list && !/^\s*(?:[-*+]|\d+[.)])\s+/.test(lines[i + 1] ?? '')) {
        flushList();
      }
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flushParagraph();
      flushList();
      const level = Math.min(6, heading[1].length + headingOffset);
      html.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      continue;
    }
    const item = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/.exec(line);
    if (item) {
      flushParagraph();
      const tag = item[1] ? 'ul' : 'ol';
      if (list && list.tag !== tag) {
        flushList();
      }
      list ??= { tag, items: [] };
      list.items.push([item[3]]);
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      list.items[list.items.length - 1].push(line.trim());
      continue;
    }
    flushList();
    paragraph.push(line.trim());
  }
  flushParagraph();
  flushList();
  return html.join('\n');
}
