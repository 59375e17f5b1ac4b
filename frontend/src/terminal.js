// A read-only xterm.js pane for build logs and program output: it renders the ANSI colours programs print.
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { terminalText } from "./ansi.js";
import { terminalThemes, currentScheme, onSchemeChange } from "./themes.js";

const MONO = 'ui-monospace, "SFMono-Regular", "JetBrains Mono", "Noto Sans Mono CJK SC", Menlo, Consolas, monospace';

// Scrolling keys for a terminal nobody types into; every other key (Tab above all) is left to the browser.
function scrollKeys(term) {
  const actions = {
    PageUp: () => term.scrollPages(-1), PageDown: () => term.scrollPages(1),
    Home: () => term.scrollToTop(), End: () => term.scrollToBottom(),
    ArrowUp: () => term.scrollLines(-1), ArrowDown: () => term.scrollLines(1),
  };
  return (event) => {
    if (event.type === "keydown" && actions[event.key] && !event.ctrlKey && !event.altKey && !event.metaKey) {
      actions[event.key]();
      event.preventDefault();
    }
    return false;
  };
}

// createTerminal(parent, {label}) -> {writeLines([{text, style}]), clear(), fit(), dispose()}; style is plain,
// error, dim, info or ok.
export function createTerminal(parent, options = {}) {
  const term = new Terminal({
    convertEol: true, disableStdin: true, cursorBlink: false, cursorStyle: "bar", cursorInactiveStyle: "none",
    scrollback: 10000, fontFamily: MONO, fontSize: 13, lineHeight: 1.2,
    theme: terminalThemes[currentScheme()],
  });
  const fitAddon = new FitAddon();
  term.loadAddon(fitAddon);
  term.open(parent);
  term.attachCustomKeyEventHandler(scrollKeys(term));
  if (term.textarea) {
    term.textarea.setAttribute("aria-label", options.label || "");
    term.textarea.setAttribute("readonly", "");
  }

  const stopSchemeListener = onSchemeChange((scheme) => { term.options.theme = terminalThemes[scheme]; });
  // Fit once per frame at most: a resize of the window fires many observer callbacks.
  let fitQueued = false;
  const fit = () => {
    if (fitQueued) return;
    fitQueued = true;
    requestAnimationFrame(() => {
      fitQueued = false;
      if (parent.offsetWidth > 0 && parent.offsetHeight > 0) fitAddon.fit();
    });
  };
  const observer = typeof ResizeObserver === "function" ? new ResizeObserver(fit) : null;
  if (observer) observer.observe(parent);
  fit();

  return {
    terminal: term,
    // One write for all the lines of an event: a batch of a thousand log lines is drawn once, not a thousand times;
    // lines longer than the terminal is wide break between words (xterm.js itself would cut them anywhere).
    writeLines: (lines) => term.write(terminalText(lines, term.cols)),
    clear: () => term.reset(),
    fit,
    dispose() {
      if (observer) observer.disconnect();
      stopSchemeListener();
      term.dispose();
    },
  };
}
