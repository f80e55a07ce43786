// Loaded on every page (a few hundred bytes of work): it downloads nothing until a page actually has a
// demo (`.cs231n-demo`) or a runnable cell (`.cs231n-cell`), or code calls window.cs231n.ready()/call().
// Then it loads host.js once; the host (and its Pyodide worker) lives across Material's instant navigation.
//
// It is the first script after Material's bundle (hooks/runtime.py), so the page's content is parsed
// and laid out. If the reader came for a demo (the address names a demo box, or one is on screen),
// the Pyodide worker starts here, about 150 ms before the host would start it (after
// DOMContentLoaded, host.js and its IntersectionObserver); the host adopts it (takeWorker). Not any
// earlier: started before Material's bundle, the worker slowed that bundle's one long task (to
// 130 ms) and won nothing overall, as the two compete for the same cores; started from the page's
// <head> for a link to a demo, the first result came no sooner either (16-run A/B, 2 cores).

(() => {
  "use strict";
  const siteRoot = new URL("../../", document.currentScript.src); // boot.js is <root>/assets/cs231n/boot.js
  const config = window.CS231N_RUNTIME;                            // config.js, written by hooks/runtime.py
  // How close below the visible area a demo counts as "in view": the host's IntersectionObserver
  // uses the same margin, so both start the runtime under the same condition.
  const NEAR_VIEW_PX = 200;
  let hostLoading = null;
  let earlyWorker = null;

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

  // Start a Pyodide worker and send it the runtime's configuration. What it says before the host
  // listens (progress, or an error) is kept in `early` and handed over with it.
  function spawnWorker() {
    performance.mark("cs231n:runtime-start");
    const worker = new Worker(new URL("assets/cs231n/worker.js", siteRoot));
    const early = [];
    worker.onmessage = (event) => early.push(event);
    worker.onerror = (event) => { event.preventDefault(); early.push(event); };
    worker.postMessage({ type: "init", config: {
      indexURL: new URL(config.indexURL, siteRoot).href,
      stdLibURL: config.stdLibURL && new URL(config.stdLibURL, siteRoot).href,
      lockURL: new URL(config.lockURL, siteRoot).href,
      siteWheels: config.siteWheels,
    } });
    return { worker, early };
  }

  // The worker started at page load if there is one (once), otherwise a new one.
  function takeWorker() {
    const taken = earlyWorker ?? spawnWorker();
    earlyWorker = null;
    return taken;
  }

  // The public API exists on every page; the first use pulls in the host.
  window.cs231n = {
    siteRoot: siteRoot.href,
    ready: () => host().then((api) => api.ready()),
    call: (name, kwargs) => host().then((api) => api.call(name, kwargs)),
    takeWorker,
  };

  // The element the address's #fragment names, if any (a malformed %-escape names none).
  function fragmentTarget() {
    try {
      return location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    } catch (error) {
      return null;
    }
  }

  // Did the reader come for a demo? The address names a demo box (#demo-<id>, as the gallery links),
  // or a demo is on screen or within NEAR_VIEW_PX below it.
  function demoWanted() {
    const demos = document.querySelectorAll(".cs231n-demo");
    if (!demos.length) return false;
    if (fragmentTarget()?.closest(".cs231n-demo-box")) return true;
    return [...demos].some((demo) => {
      const box = demo.getBoundingClientRect();
      return box.top < innerHeight + NEAR_VIEW_PX && box.bottom > -NEAR_VIEW_PX;
    });
  }

  function scan() {
    if (document.querySelector(".cs231n-demo, .cs231n-cell")) {
      host().then((api) => api.mountAll()).catch((error) => console.warn(error));
    }
  }

  if (document.readyState === "loading" && config && demoWanted()) {
    earlyWorker = spawnWorker();
    window.cs231n.ready().catch((error) => console.warn(error));   // loads the host, which adopts it
  }

  // Material emits document$ on the first load (at DOMContentLoaded) and after every instant navigation.
  function follow() {
    if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(scan);
    else scan();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", follow, { once: true });
  else follow();
})();
