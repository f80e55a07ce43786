// One colour theme for every Plotly figure of the site (widgets, runnable cells, notebook pages):
// transparent backgrounds, text and grid lines in Material's palette (light / slate), the page's
// font. Linked on every page right after boot.js (hooks/runtime.py); host.js (window.cs231n.themed)
// and notebook-plotly.js call window.cs231nTheme.themed(layout) each time they draw a figure.

(() => {
  "use strict";

  // Material's colour variables may hold hsla(... deg ...) or nested var() that Plotly cannot parse
  // (it silently falls back to #444, unreadable on slate): let the browser resolve them on a probe
  // element and hand Plotly plain rgb() strings.
  function resolvedColor(cssValue, fallback) {
    const probe = document.createElement("span");
    probe.style.cssText = `color: ${cssValue}; display: none`;
    document.body.append(probe);
    const color = getComputedStyle(probe).color;
    probe.remove();
    return color || fallback;
  }

  // Resolved once per colour scheme: reading computed styles on every redraw would force a
  // style recalculation of the whole page each time.
  let cached = null;
  function colors() {
    const scheme = document.body.dataset.mdColorScheme ?? "";
    if (cached?.scheme !== scheme) {
      cached = {
        scheme,
        fg: resolvedColor("var(--md-default-fg-color)", "#222"),
        grid: resolvedColor("var(--md-default-fg-color--lightest)", "#ddd"),
        font: getComputedStyle(document.body).fontFamily,
      };
    }
    return cached;
  }

  // A copy of a Plotly layout in the current colours; what the layout sets itself wins.
  function themed(layout) {
    const { fg, grid, font } = colors();
    const axis = (a) => ({ gridcolor: grid, zerolinecolor: grid, linecolor: grid, ...a });
    const out = { paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", autosize: true,
                  margin: { l: 48, r: 12, t: 36, b: 44 }, ...layout,
                  font: { family: font, color: fg, size: 12, ...(layout.font || {}) } };
    for (const key of Object.keys(out)) if (/^[xy]axis\d*$/.test(key)) out[key] = axis(out[key]);
    if (!out.xaxis) out.xaxis = axis({});
    if (!out.yaxis) out.yaxis = axis({});
    if (out.legend) out.legend = { ...out.legend, font: { color: fg, ...(out.legend.font || {}) } };
    return out;
  }

  window.cs231nTheme = { colors, themed };
})();
