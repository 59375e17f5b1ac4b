// Output lines as the terminal shows them: the colour of each stream, and the lines of one batched log event.

// Plain SGR codes, so that the terminal's theme decides the exact shade.
const STYLES = {
  plain: ["", ""],
  error: ["\x1b[31m", "\x1b[0m"],
  dim: ["\x1b[90m", "\x1b[0m"],
  info: ["\x1b[36m", "\x1b[0m"],
  ok: ["\x1b[32m", "\x1b[0m"],
};

// [{text, style}] -> the bytes one terminal write takes: every line coloured and ended.
export function terminalText(lines) {
  return lines.map(({ text, style }) => {
    const [start, end] = STYLES[style] || STYLES.plain;
    return `${start}${text}${end}\r\n`;
  }).join("");
}

// For "Copy output": the text without the colour codes programs print.
export function stripAnsi(text) {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

// A log event carries one or more lines joined by "\n" (the server sends output in batches).
export function logLines(text) {
  return String(text === undefined || text === null ? "" : text).split("\n");
}
