// The page's colour theme, light or dark, as `data-theme` on <html>: the reader's choice (the header's switch,
// remembered in this browser), else their system's, followed as it changes. Loaded in <head>, before the page is
// drawn, so that it never flashes the other theme.
(() => {
  const KEY = "layerlab-theme";
  const root = document.documentElement;
  const system = window.matchMedia("(prefers-color-scheme: dark)");
  const chosen = () => {
    try { return localStorage.getItem(KEY); } catch (error) { return null; } // storage may be refused
  };
  const apply = () => {
    const choice = chosen();
    root.dataset.theme = choice === "light" || choice === "dark" ? choice : (system.matches ? "dark" : "light");
  };
  apply();
  system.addEventListener("change", apply);

  // The switch offers the other theme: its label says which, in the page's language (data-to-light/-to-dark).
  document.addEventListener("DOMContentLoaded", () => {
    const button = document.getElementById("theme-switch");
    if (!button) return;
    const label = () => {
      const toDark = root.dataset.theme !== "dark";
      button.textContent = toDark ? button.dataset.toDark : button.dataset.toLight;
      button.setAttribute("aria-pressed", String(!toDark));
    };
    button.hidden = false;
    label();
    button.addEventListener("click", () => {
      const next = root.dataset.theme === "dark" ? "light" : "dark";
      try { localStorage.setItem(KEY, next); } catch (error) { /* not remembered: this page keeps it */ }
      root.dataset.theme = next;
      label();
    });
    system.addEventListener("change", label);
  });
})();
