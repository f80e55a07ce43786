// Loaded on every page (a few hundred bytes of work): it downloads nothing until a page actually has a
// demo (`.cs231n-demo`) or a runnable cell (`.cs231n-cell`), or code calls window.cs231n.ready()/call().
// Then it loads host.js once; the host (and its Pyodide worker) lives across Material's instant navigation.

(() => {
  "use strict";
  const siteRoot = new URL("../../", document.currentScript.src); // boot.js is <root>/assets/cs231n/boot.js
  let hostLoading = null;

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`스크립트를 불러오지 못했습니다: ${url}`));
      document.head.appendChild(script);
    });
  }

  function host() {
    hostLoading ??= loadScript(new URL("assets/cs231n/host.js", siteRoot).href).then(() => window.cs231n);
    return hostLoading;
  }

  // The public API exists on every page; the first use pulls in the host.
  window.cs231n = {
    siteRoot: siteRoot.href,
    ready: () => host().then((api) => api.ready()),
    call: (name, kwargs) => host().then((api) => api.call(name, kwargs)),
  };

  function scan() {
    if (document.querySelector(".cs231n-demo, .cs231n-cell")) {
      host().then((api) => api.mountAll()).catch((error) => console.warn(error));
    }
  }

  // Material emits document$ on the first load and after every instant navigation.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(scan);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
