// Output lines as the terminal shows them: the colour of each stream, and the lines of one batched log event.

// Plain SGR codes, so that the terminal's theme decides the exact shade.
const STYLES = {
  plain: ["", ""],
  error: ["\x1b[31m", "\x1b[0m"],
  dim: ["\x1b[90m", "\x1b[0m"],
  info: ["\x1b[36m", "\x1b[0m"],
  ok: ["\x1b[32m", "\x1b[0m"],
};

// [{text, style}] -> the bytes one terminal write takes: every line coloured, wrapped at `columns` (when given)
// between words, and ended.
export function terminalText(lines, columns = 0) {
  return lines.map(({ text, style }) => {
    const [start, end] = STYLES[style] || STYLES.plain;
    return `${start}${wrapWords(text, columns).join("\r\n")}${end}\r\n`;
  }).join("");
}

const ESCAPE = /^\x1b\[[0-9;?]*[A-Za-z]/;
// Characters a terminal draws two columns wide (CJK, full-width forms); a line may break before or after each.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

// One line of output as the rows of a terminal `columns` wide, broken after a space or beside a wide character
// rather than mid-word; a word longer than a whole row is cut where the row ends. Colour codes take no room.
export function wrapWords(text, columns) {
  if (!columns || columns < 2) return [text];
  const rows = [];
  let row = "";
  let width = 0;
  let breakAt = -1; // index in `row` after which it may end
  let widthAtBreak = 0;
  for (let i = 0; i < text.length;) {
    const escape = ESCAPE.exec(text.slice(i, i + 32));
    if (escape) {
      row += escape[0];
      i += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i));
    i += char.length;
    const wide = WIDE.test(char);
    const charWidth = wide ? 2 : 1;
    if (width + charWidth > columns && char !== " ") {
      const cut = breakAt > 0 ? breakAt : row.length;
      rows.push(row.slice(0, cut).trimEnd());
      row = row.slice(cut);
      width = breakAt > 0 ? width - widthAtBreak : 0;
      breakAt = -1;
    }
    if (wide && row.length) [breakAt, widthAtBreak] = [row.length, width];
    row += char;
    width += charWidth;
    if (char === " " || wide) [breakAt, widthAtBreak] = [row.length, width];
  }
  rows.push(row);
  return rows;
}

// For "Copy output": the text without the colour codes programs print.
export function stripAnsi(text) {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

// A log event carries one or more lines joined by "\n" (the server sends output in batches).
export function logLines(text) {
  return String(text === undefined || text === null ? "" : text).split("\n");
}
