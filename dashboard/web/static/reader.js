// Printing: a chart or a table is drawn at the screen's width in pixels, wider than paper.
// Before the browser lays the page out for print, each one too wide for the paper is scaled
// down to it (CSS zoom), and drawn again at its own size after. Installed once per tab.
if (!window.lingkaranPrint) {
  window.lingkaranPrint = true;
  const PAPER = 680; // CSS pixels across A4 or Letter inside the browser's default margins
  const charts = () =>
    document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]');
  window.addEventListener("beforeprint", () => {
    for (const chart of charts()) {
      const width = chart.getBoundingClientRect().width;
      chart.style.zoom = width > PAPER ? String(PAPER / width) : "";
    }
  });
  window.addEventListener("afterprint", () => {
    for (const chart of charts()) chart.style.zoom = "";
  });
}

// Phones: a chart box that scrolls sideways (reader.css) takes the keyboard's focus, so it
// can be scrolled with the arrow keys too (WCAG 2.1.1; axe's scrollable-region-focusable).
// Where it does not scroll (a wide screen) it is no Tab stop.
if (!window.lingkaranScrollable) {
  window.lingkaranScrollable = true;
  const mark = () => {
    for (const box of document.querySelectorAll('[class*="st-key-roomy-"]')) {
      const scrolls = box.scrollWidth > box.clientWidth;
      if (scrolls && box.tabIndex !== 0) box.tabIndex = 0;
      if (!scrolls && box.hasAttribute("tabindex")) box.removeAttribute("tabindex");
    }
  };
  let queued = false;
  const soon = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      mark();
    });
  };
  new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", soon);
}
