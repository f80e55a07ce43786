// Typeset math with the site's own KaTeX (assets/katex/): Material's arithmatex `generic` output
// (<span|div class="arithmatex">\( .. \)</span>) in pages, after the first load and after every
// instant navigation (Material's document$). Also exposes window.cs231nRenderMath(element) for
// content added later (e.g. a demo's `math` output).
(() => {
  "use strict";

  const options = {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
    // A bad formula shows KaTeX's red source text; keep the console clean.
    errorCallback: (message) => console.warn(message),
  };

  function renderMath(root) {
    if (typeof window.renderMathInElement !== "function") return;
    const scope = root || document.body;
    const targets = scope.matches && scope.matches(".arithmatex")
      ? [scope]
      : scope.querySelectorAll(".arithmatex");
    for (const element of targets) {
      if (element.dataset.cs231nMath === "done") continue;
      window.renderMathInElement(element, options);
      element.dataset.cs231nMath = "done";
    }
  }

  window.cs231nRenderMath = renderMath;

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(({ body }) => renderMath(body));
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => renderMath(document.body));
  } else {
    renderMath(document.body);
  }
})();
