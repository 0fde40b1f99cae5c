// Escaping for the places a string lands in a report. Metric and tag names, check names, threshold
// expressions, endpoint names and the text of a script's exception come from the k6 script, which a
// fork's pull request controls: none of them may close a code span, start a link, an image or raw
// HTML, mention a person or reference an issue in the PR comment, the MR note or the job summary.
// Pure.

/** The longest run of backticks in `text`. */
function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}

/**
 * A code span that shows `text` literally. A backtick inside cannot end it: the fence is one
 * backtick longer than the longest run inside (CommonMark), with a space of padding when the text
 * starts or ends with a backtick. Inside a code span nothing is a link, HTML, mention or reference.
 * For a table cell, pass the result through tableCell.
 */
export function codeSpan(text: string): string {
  const line = oneLine(text);
  if (line.trim() === '') return '_(empty)_';
  const fence = '`'.repeat(longestBacktickRun(line) + 1);
  const pad = line.startsWith('`') || line.endsWith('`') || (line.startsWith(' ') && line.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/**
 * A table cell: GitHub and GitLab split a row at every `|` not preceded by a backslash, inside code
 * spans too, and then drop that one backslash; so every `|` gets one, whatever precedes it.
 */
export function tableCell(markdown: string): string {
  return oneLine(markdown).replace(/\|/g, '\\|');
}

// Things GitHub and GitLab turn into links or notifications after Markdown parsing (so a backslash
// does not stop them): bare URLs (without the punctuation that ends a sentence), e-mail addresses,
// `@name` mentions and `#12` / `owner/repo#12` / `!12` references.
// In a code span they stay text.
const LIVE =
  /\b(?:https?|ftp):\/\/[^\s<>`]*[^\s<>`.,:;!?'")\]]|\bwww\.[^\s<>`]*[^\s<>`.,:;!?'")\]]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w`])@[\w][\w./-]*|(?<![\w`])(?:[\w.-]+\/[\w.-]+)?[#!]\d+\b/g;

/**
 * The characters that start a code span, a link or image (`[`), raw HTML or an autolink (`<`), an
 * entity (`&`), math (`$`), a table cell (`|`), emphasis or strikethrough, or escape another. The
 * rest stay as they are, so report.md stays readable as plain text (prose lands mid-line, where `#`,
 * `-` and `1.` start nothing; an underscore inside a word is not emphasis).
 */
const PUNCTUATION = /[\\`[\]<>&$|*~]/g;

/** Text that must read as written: Markdown punctuation escaped (no emphasis, links, HTML, code). */
function literal(text: string): string {
  return text.replace(PUNCTUATION, (c) => `\\${c}`);
}

/**
 * Prose that may hold strings from a script (an error message, a warning, a note): shown as
 * written on one line, with URLs, mentions and references as code spans so they stay inert.
 */
export function escapeProse(text: string): string {
  const line = oneLine(text);
  let out = '';
  let last = 0;
  for (const match of line.matchAll(LIVE)) {
    const index = match.index ?? 0;
    out += literal(line.slice(last, index)) + codeSpan(match[0]);
    last = index + match[0].length;
  }
  return out + literal(line.slice(last));
}

/** A fenced code block holding `text` verbatim (several lines, e.g. a script's exception). */
export function codeBlock(text: string, info = 'text'): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  return `${fence}${info}\n${text.replace(/\r\n?/g, '\n').replace(/\n+$/, '')}\n${fence}`;
}
