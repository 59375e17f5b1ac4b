// The page's two modal dialogs: a file name (checked as it is submitted) and a yes/no question.
import { $ } from "./dom.js";

export function createDialogs() {
  let validateName = null;

  // Resolves to the checked name, or null when the reader cancels. validate(name) -> message or null.
  function askFileName(title, initial, validate) {
    const dialog = $("file-dialog");
    const input = $("file-dialog-name");
    $("file-dialog-title").textContent = title;
    $("file-dialog-error").textContent = "";
    input.removeAttribute("aria-invalid");
    input.value = initial;
    dialog.returnValue = "";
    validateName = validate;
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        resolve(dialog.returnValue === "ok" ? input.value.trim() : null);
      }, { once: true });
      dialog.showModal();
      input.select();
    });
  }

  function onFileDialogSubmit(event) {
    const input = $("file-dialog-name");
    const problem = validateName ? validateName(input.value.trim()) : null;
    if (!problem) return; // the form's method="dialog" closes it with returnValue "ok"
    event.preventDefault();
    $("file-dialog-error").textContent = problem;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  function confirmAction(text, okLabel) {
    const dialog = $("confirm-dialog");
    $("confirm-dialog-text").textContent = text;
    $("confirm-dialog-ok").textContent = okLabel;
    dialog.returnValue = "";
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.showModal();
      $("confirm-dialog-cancel").focus(); // the safe choice is the one under the reader's Enter key
    });
  }

  $("file-dialog-form").addEventListener("submit", onFileDialogSubmit);
  for (const id of ["file-dialog", "confirm-dialog"]) {
    const dialog = $(id);
    dialog.querySelector("[data-cancel]").addEventListener("click", () => dialog.close("cancel"));
  }
  return { askFileName, confirmAction };
}
