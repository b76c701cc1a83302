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
