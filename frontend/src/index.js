// Entry of static/vendor/layerlab-editor.js: the only global it defines is window.LayerlabEditor.
import { createEditor, languageFor } from "./editor.js";
import { createTerminal } from "./terminal.js";

window.LayerlabEditor = Object.freeze({ createEditor, createTerminal, languageFor });
