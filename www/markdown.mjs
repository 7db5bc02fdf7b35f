// The user guide's Markdown to HTML, at build time, so the page and the README share one source.
//
// markdown-it (CommonMark plus GitHub tables and strikethrough) with raw HTML off, so every character of the source
// is escaped and only markdown-it's own tags are produced; link targets limited to web, mail and
// relative addresses; images off, since the page may load nothing.

import MarkdownIt from 'markdown-it';

/** Link schemes the guide may use; anything without a scheme is a relative or in-page link. */
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
const SCHEME = /^[a-z][a-z\d+.-]*:/i;

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false }).disable('image');

markdown.validateLink = (url) => {
  const scheme = SCHEME.exec(url.trim());
  return scheme === null || SAFE_SCHEMES.has(scheme[0].toLowerCase());
};

// `env.headingOffset` is added to every heading level (capped at 6), so a guide whose top
// headings are `##` can sit under the page's own `h2`.
markdown.core.ruler.push('heading_offset', (state) => {
  const offset = state.env?.headingOffset ?? 0;
  for (const token of state.tokens) {
    if (token.type === 'heading_open' || token.type === 'heading_close') {
      token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + offset)}`;
    }
  }
});

/**
 * Converts Markdown to HTML.
 * @param {string} source
 * @param {{headingOffset?: number}} options headingOffset is added to every heading level.
 * @returns {string}
 */
export function markdownToHtml(source, { headingOffset = 0 } = {}) {
  return markdown.render(source, { headingOffset });
}
