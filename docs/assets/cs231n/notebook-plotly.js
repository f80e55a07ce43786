// Notebook pages (docs/notebooks/*.ipynb via mkdocs-jupyter): draw the Plotly figures stored in the
// cell outputs with the site's self-hosted Plotly.js. Nothing comes from a CDN. (Math needs nothing
// here: sitekit/notebooks.py writes it as arithmatex markup, which katex-init.js typesets on every
// page.)
//
// hooks/notebooks.py puts <script src=".../notebook-plotly.js"> at the end of every notebook page's
// content, so it runs on a direct load and Material runs it again after each instant navigation to a
// notebook page. The first run subscribes to Material's document$ (it emits on every page change);
// later runs only scan the new page. Figures are <div class="cs231n-nb-plot" data-figure="{json}">
// (see sitekit/notebooks.py).

(() => {
  "use strict";
  if (window.cs231nNotebooks) {            // evaluated again after an instant navigation
    window.cs231nNotebooks.scan();
    return;
  }

  // On a direct load this runs inside the page content, before config.js, boot.js and Material's
  // bundle (they come at the end of <body>): read window.CS231N_RUNTIME only when loading.
  const siteRoot = new URL("../../", document.currentScript.src); // this file is <root>/assets/cs231n/
  const config = () => window.CS231N_RUNTIME;
  const assetURL = (path) => new URL(path, siteRoot).href;
  const PLOT = ".cs231n-notebook .cs231n-nb-plot[data-figure]";

  // -------------------------------------------------------------------------------------------
  // Plotly.js, loaded once per tab and only when a page has figures.
  // -------------------------------------------------------------------------------------------

  const loading = new Map();
  function load(url) {
    if (!loading.has(url)) {
      loading.set(url, new Promise((resolve, reject) => {
        const node = document.createElement("script");
        node.src = url;
        node.onload = resolve;
        node.onerror = () => { loading.delete(url); reject(new Error(`불러오지 못했습니다: ${url}`)); };
        document.head.appendChild(node);
      }));
    }
    return loading.get(url);
  }
  // The widget host may have loaded it already (a demo page visited before this one).
  // The site's bundle (frontend/plotly.js) starts Plotly in short tasks and resolves window.cs231nPlotly.
  const plotly = () => window.cs231nPlotly
    || load(assetURL(config().plotly)).then(() => window.cs231nPlotly);

  // -------------------------------------------------------------------------------------------
  // Figures.
  // -------------------------------------------------------------------------------------------

  // Colours follow Material's palette (light / slate; theme.js, linked on every page); the
  // figures themselves are transparent, and the page decides their width (phones).
  function themed(layout) {
    const out = window.cs231nTheme.themed(layout);
    delete out.width;
    return out;
  }

  const PLOT_CONFIG = { responsive: true, displaylogo: false, scrollZoom: false,
                        modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  const drawn = new Set();

  function draw(node) {
    const figure = node.cs231nFigure;
    return window.Plotly.react(node, figure.data || [], themed(figure.layout || {}), PLOT_CONFIG);
  }

  async function drawFigures() {
    // Claim the nodes before waiting: a direct load and document$ may both call this at once.
    const nodes = [...document.querySelectorAll(PLOT)].filter((node) => !drawn.has(node));
    for (const node of nodes) drawn.add(node);
    if (!nodes.length) return;
    try {
      await plotly();
    } catch (error) {
      for (const node of nodes) node.querySelector(".cs231n-nb-plot__fallback").textContent =
        "그림을 그리는 Plotly.js를 불러오지 못했습니다. 페이지를 새로 고쳐 보세요.";
      console.warn(error);
      return;
    }
    for (const node of nodes) {
      try {
        node.cs231nFigure = JSON.parse(node.dataset.figure);
        node.replaceChildren();
        await draw(node);
        node.dataset.drawn = "true";
      } catch (error) {
        console.warn("노트북 그림을 그리지 못했습니다:", error);
      }
    }
  }

  // Plots of a page Material replaced: free their listeners and WebGL / SVG state.
  function purgeDetached() {
    for (const node of drawn) {
      if (!node.isConnected) {
        window.Plotly.purge(node);
        drawn.delete(node);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Wiring.
  // -------------------------------------------------------------------------------------------

  function scan() {
    if (window.Plotly) purgeDetached();
    return drawFigures();
  }

  // Light / dark toggle: recolour the figures on the page.
  new MutationObserver(() => {
    for (const node of drawn) if (node.isConnected) draw(node);
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  window.cs231nNotebooks = { scan };

  function subscribe() {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(() => { scan(); });
    } else {
      scan();
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", subscribe);
  else subscribe();
})();
