/**
 * Rewrites identifiers in hand-written SQL text: every bare or double-quoted identifier for
 * which `rename` returns a name is replaced (quoted if it was quoted). String literals and
 * comments are left alone, and so is a word right after a dot (`alias.column`,
 * `schema.table`): only unqualified names can be this database's tables.
 *
 * It is a tokenizer, not a parser: a column that shares an owned table's name would be renamed
 * too. Projections keep table names distinct from column names (see README "Operating it").
 */
export function renameInSql(text: string, rename: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  let afterDot = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      const end = closing(text, i, "'");
      out += text.slice(i, end);
      i = end;
      afterDot = false;
    } else if (c === '"') {
      const end = closing(text, i, '"');
      const inner = text.slice(i + 1, end - 1).replace(/""/g, '"');
      const renamed = afterDot ? undefined : rename(inner);
      out += renamed === undefined ? text.slice(i, end) : `"${renamed.replace(/"/g, '""')}"`;
      i = end;
      afterDot = false;
    } else if (c === '-' && text[i + 1] === '-') {
      const newline = text.indexOf('\n', i);
      const end = newline === -1 ? text.length : newline;
      out += text.slice(i, end);
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close === -1 ? text.length : close + 2;
      out += text.slice(i, end);
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1;
      while (end < text.length && /[A-Za-z0-9_$]/.test(text[end]!)) end += 1;
      const word = text.slice(i, end);
      const renamed = afterDot ? undefined : rename(word.toLowerCase());
      out += renamed ?? word;
      i = end;
      afterDot = false;
    } else if (/[0-9$]/.test(c)) {
      // Numbers and `$1` placeholders: consume whole, so `1e5abc` or `$1x` never yields a word.
      let end = i + 1;
      while (end < text.length && /[A-Za-z0-9_$.]/.test(text[end]!)) end += 1;
      out += text.slice(i, end);
      i = end;
      afterDot = false;
    } else {
      out += c;
      i += 1;
      if (c === '.') afterDot = true;
      else if (!/\s/.test(c)) afterDot = false;
    }
  }
  return out;
}

/** Index just past the quote that closes the one at `start` (a doubled quote escapes it). */
function closing(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return text.length;
}
