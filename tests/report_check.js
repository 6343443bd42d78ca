// Injected by tests/test_report_browser.py into a copy of a rendered report: waits for the live
// charts, inspects each vega view (marks drawn, tick labels, labels that overlap, a hovered
// tooltip, a wheel zoom) and the page (headings, tables against the page width), and writes what
// it found as JSON into a pre element (id synergy-check) for `chromium --dump-dom` to carry out.
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
for (let i = 0; i < 600 && !window.synergyCharts; i++) await pause(50);

function overlaps(texts) {
  const boxes = texts.map((t) => [t.textContent, t.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.height > 0);
  const pairs = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, r] = boxes[i];
      const [b, s] = boxes[j];
      const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
      const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
      if (w > 1 && h > 1) pairs.push(`${a} / ${b}`);
    }
  }
  return pairs;
}

function tooltipItems(node, found) {
  for (const item of node.items || []) {
    if (item.tooltip != null && item._svg && item.mark.marktype !== "group") found.push(item);
    tooltipItems(item, found);
  }
  return found;
}

function fire(element, types, extra = {}) {
  const box = element.getBoundingClientRect();
  const at = {bubbles: true, cancelable: true, view: window, clientX: box.left + box.width / 2,
              clientY: box.top + box.height / 2, ...extra};
  for (const type of types) {
    const Kind = type.startsWith("pointer") ? PointerEvent : type === "wheel" ? WheelEvent : MouseEvent;
    element.dispatchEvent(new Kind(type, at));
  }
}

const page = {
  headings: [...document.querySelectorAll("h1, h2")].map((h) => h.textContent.replace("¶", "").trim()),
  figures: document.querySelectorAll("figure.synergy-chart").length,
  drawn: (window.synergyCharts || []).length,
  width: document.documentElement.clientWidth,
  scrollWidth: document.documentElement.scrollWidth,
  tables: [],
  charts: [],
};
const first = document.querySelector("h2");
const firstThing = document.querySelector("figure.synergy-chart, table");
page.summaryBeforeFigures = !!(first && firstThing &&
  (first.compareDocumentPosition(firstThing) & Node.DOCUMENT_POSITION_FOLLOWING));
for (const table of document.querySelectorAll("table")) {
  if (!table.offsetParent) continue;  // not shown (e.g. the screen copy of a table printed in parts)
  const box = table.getBoundingClientRect();
  page.tables.push({right: Math.round(box.right), width: Math.round(box.width),
                    columns: table.querySelector("tr") ? table.querySelector("tr").cells.length : 0,
                    head: (table.querySelector("th, td") || {}).textContent || ""});
}
for (const figure of document.querySelectorAll("figure.synergy-chart")) {
  const view = figure.vegaView;
  const live = figure.querySelector(".chart-live");
  const chart = {id: figure.id, alt: figure.getAttribute("aria-label"), live: figure.classList.contains("live"),
                 error: figure.dataset.error || null, marks: 0, ticks: [], overlaps: [],
                 tooltip: null, zoom: null, staticShown: !!figure.querySelector(".chart-static")?.offsetParent,
                 staticRight: Math.round(figure.querySelector(".chart-static")?.getBoundingClientRect().right ?? 0)};
  if (view) {
    for (const group of live.querySelectorAll("g.role-mark")) {
      chart.marks += group.querySelectorAll("path, rect, line, circle, text, image").length;
    }
    for (const axis of live.querySelectorAll("g.role-axis")) {
      const labels = [...axis.querySelectorAll("g.role-axis-label text")];
      chart.ticks.push(...labels.map((t) => t.textContent));
      chart.overlaps.push(...overlaps(labels));
    }
    for (const group of live.querySelectorAll("g.mark-text.role-mark")) {  // labels drawn as marks
      chart.overlaps.push(...overlaps([...group.querySelectorAll("text")]));
    }
    for (const kind of ["column", "row", "facet"]) {
      const headers = [...live.querySelectorAll(`g.role-${kind}-header text, g.role-${kind}-title text`)];
      chart.overlaps.push(...overlaps(headers));
    }
    // points first: a line or an area is one item whose tooltip is one step's
    const items = tooltipItems(view.scenegraph().root, [])
      .sort((a, b) => (b.mark.marktype === "symbol") - (a.mark.marktype === "symbol"));
    const element = document.getElementById("vg-tooltip-element");
    for (const item of items.slice(0, 5)) {
      fire(item._svg, ["pointerover", "pointermove", "mouseover", "mousemove"]);
      await pause(50);
      const tip = document.getElementById("vg-tooltip-element");
      if (tip && tip.classList.contains("visible") && tip.textContent.trim()) {
        chart.tooltip = tip.textContent.trim().slice(0, 200);
        fire(item._svg, ["pointerout", "mouseout"]);
        await pause(20);
        break;
      }
    }
    const spec = JSON.parse(figure.querySelector("script.chart-spec").textContent);
    const zooms = JSON.stringify(spec).includes('"bind":"scales"');
    if (zooms && items.length) {
      const before = view.scale("x").domain().map(Number);
      fire(items[Math.floor(items.length / 2)]._svg, ["wheel"], {deltaY: -400, deltaMode: 0});
      await view.runAsync();
      await pause(100);
      const after = view.scale("x").domain().map(Number);
      chart.zoom = {before, after};
    }
  }
  page.charts.push(chart);
}
const out = document.createElement("pre");
out.id = "synergy-check";
out.textContent = JSON.stringify(page);
document.body.appendChild(out);
