// The site's Plotly.js, bundled by sitekit/plotly_bundle.py with esbuild from the npm package
// plotly.js (both pinned in package-lock.json).
//
// Why not a ready-made dist bundle: evaluating a whole Plotly bundle is one task of 250-400 ms on
// the main thread, and it runs while Pyodide loads, so the page stops scrolling for that long.
// esbuild evaluates a CommonJS module only when it is first required, and only once. So here the
// heavy parts of Plotly's core are required first, one per task (core.js then finds them done),
// and every trace type is registered in a task of its own: no single step blocks the page for long.
//
// window.cs231nPlotly is a promise of the Plotly object; window.Plotly is set once every trace
// type below is registered.

// Plotly's own internals (plotly.js/src), pinned by package-lock.json; a path that moves in a new
// version makes the build fail rather than the page.
const CORE_PARTS = [
  () => require("plotly.js/src/lib"),
  () => require("plotly.js/src/plots/cartesian"),
  () => require("plotly.js/src/plots/plots"),
  () => require("plotly.js/src/plot_api/plot_api"),
  () => require("plotly.js/src/components/legend"),
  () => require("plotly.js/src/components/fx"),
];

const TRACE_TYPES = [
  // What the demos draw, first.
  () => require("plotly.js/lib/heatmap"),
  () => require("plotly.js/lib/contour"),
  () => require("plotly.js/lib/bar"),
  // What a runnable cell or a notebook may also draw (the rest of Plotly's cartesian bundle, minus
  // "image", which needs a Node Buffer polyfill, and the ternary and calendar extras).
  () => require("plotly.js/lib/histogram"),
  () => require("plotly.js/lib/histogram2d"),
  () => require("plotly.js/lib/histogram2dcontour"),
  () => require("plotly.js/lib/box"),
  () => require("plotly.js/lib/violin"),
  () => require("plotly.js/lib/pie"),
];

// A macrotask boundary: the browser may paint, scroll and handle input between two steps.
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

window.cs231nPlotly = (async () => {
  for (const load of CORE_PARTS) {
    await nextTask();
    load();
  }
  await nextTask();
  const Plotly = require("plotly.js/lib/core");   // also registers "scatter"
  for (const load of TRACE_TYPES) {
    await nextTask();
    Plotly.register(load());
  }
  window.Plotly = Plotly;
  return Plotly;
})();
