import { describe, expect, it } from 'vitest';
import { codeBlock, codeSpan, escapeProse, tableCell } from '../../src/report/escape.js';

describe('escaping for where a string lands', () => {
  it('a code span is one backtick longer than any run inside, padded when the text starts or ends with one', () => {
    expect(codeSpan('http_req_duration')).toBe('`http_req_duration`');
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('x ``` y')).toBe('````x ``` y````');
    expect(codeSpan('`edge')).toBe('`` `edge ``');
    expect(codeSpan('two\nlines')).toBe('`two lines`');
    expect(codeSpan('')).toBe('_(empty)_');
  });

  it('a table cell escapes every pipe, also one after a backslash', () => {
    expect(tableCell('`a|b`')).toBe('`a\\|b`');
    expect(tableCell('`a\\|b`')).toBe('`a\\\\|b`');
    expect(tableCell('one\ntwo')).toBe('one two');
  });

  it('prose keeps its words and loses its power: no HTML, link, image, code, mention, reference or autolink', () => {
    expect(escapeProse('k6 exit 107: the script threw an exception')).toBe('k6 exit 107: the script threw an exception');
    expect(escapeProse('<img src=x> [a](b) ![i](j) `c` *e* ~s~ &amp; $x$ a|b')).toBe(
      '\\<img src=x\\> \\[a\\](b) !\\[i\\](j) \\`c\\` \\*e\\* \\~s\\~ \\&amp; \\$x\\$ a\\|b',
    );
    expect(escapeProse('ping @octocat, see acme/shop#12 and #3, !4, https://evil.example/x, www.evil.example, me@evil.example')).toBe(
      'ping `@octocat`, see `acme/shop#12` and `#3`, `!4`, `https://evil.example/x`, `www.evil.example`, `me@evil.example`',
    );
    expect(escapeProse('http_req_duration{name:login} p(95)')).toBe('http_req_duration{name:login} p(95)');
  });

  it('a code block is fenced longer than any backtick run inside', () => {
    expect(codeBlock('Error: ``` inside\n\tat x\n')).toBe('````text\nError: ``` inside\n\tat x\n````');
    expect(codeBlock('plain')).toBe('```text\nplain\n```');
  });
});
