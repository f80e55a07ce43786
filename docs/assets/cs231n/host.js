// The generic widget host: one Pyodide worker per tab, and a renderer for every declared widget.
//
// Nothing here knows a particular demo. A widget root in a page,
//   <div class="cs231n-demo" data-demo="conv-layer" data-state="idle"></div>
// is brought to life by asking Python for its spec (demos.widget.describe), building its controls,
// and sending the raw control values to demos.widget.update on every change. See demos/widget.py.
//
// Public API (window.cs231n): call(name, kwargs), ready(), restart(), mountAll(), runtime (state, stats).

(() => {
  "use strict";
  const config = window.CS231N_RUNTIME;
  const siteRoot = new URL(window.cs231n.siteRoot);
  const assetURL = (path) => new URL(path, siteRoot).href;
  const STOP_BUTTON_AFTER_MS = 400;

  // ------------------------------------------------------------------------------------------
  // Runtime: the worker, its loading progress, and calls into Python.
  // ------------------------------------------------------------------------------------------

  const runtime = {
    state: "idle",           // idle | loading | ready | error
    progress: null,          // {step, total, label}
    error: null,
    stats: { starts: 0, loadSeconds: null },
    worker: null,
    readyPromise: null,
    pending: new Map(),
    nextId: 1,
    listeners: new Set(),

    notify() { for (const listener of this.listeners) listener(this); },

    ready() {
      if (this.readyPromise) return this.readyPromise;
      this.state = "loading";
      this.error = null;
      this.progress = { step: 0, total: 3, label: "Python 런타임 준비 중" };
      this.stats.starts += 1;
      this.notify();
      // boot.js spawns the worker (perhaps already at page load) and sends it the configuration.
      const { worker, early } = window.cs231n.takeWorker();
      this.worker = worker;
      let resolve, reject;
      const loading = new Promise((res, rej) => { resolve = res; reject = rej; });
      this.readyPromise = loading;
      this.rejectLoad = reject;
      const onError = (event) => {
        event.preventDefault();
        this.fail(`워커 오류: ${event.message || "알 수 없음"}`, reject);
      };
      worker.onmessage = (event) => this.onMessage(event.data, resolve, reject);
      worker.onerror = onError;
      for (const event of early) {
        if (event.type === "error") onError(event);
        else this.onMessage(event.data, resolve, reject);
      }
      return loading;   // this.readyPromise is null again if a kept error failed the load already
    },

    onMessage(message, resolve, reject) {
      if (message.type === "progress") {
        performance.mark(`cs231n:stage-${message.stage}`);
        this.progress = message;
        this.notify();
      } else if (message.type === "ready") {
        this.state = "ready";
        this.rejectLoad = null;
        performance.mark("cs231n:runtime-ready");
        this.stats.loadSeconds = message.seconds;
        this.notify();
        resolve();
      } else if (message.type === "init-error") {
        console.warn("Pyodide init failed:", message.message, message.detail);
        this.fail(message.message, reject);
      } else if (message.type === "result") {
        const call = this.pending.get(message.id);
        if (!call) return;
        this.pending.delete(message.id);
        const answer = JSON.parse(message.json);
        if ("ok" in answer) call.resolve(answer.ok);
        else {
          if (answer.detail) console.warn(answer.detail);
          call.reject(new Error(answer.error));
        }
      }
    },

    fail(reason, reject) {
      this.state = "error";
      this.error = reason;
      this.stop(new Error("Python 런타임을 불러오지 못했습니다."));
      this.readyPromise = null;
      this.notify();
      reject(new Error(`Python 런타임을 불러오지 못했습니다: ${reason}`));
    },

    stop(reason) {
      if (this.worker) this.worker.terminate();
      this.worker = null;
      // A load still in progress would otherwise never settle: whoever waits on it hears why.
      if (this.state === "loading" && this.rejectLoad) this.rejectLoad(reason);
      this.rejectLoad = null;
      for (const call of this.pending.values()) call.reject(reason);
      this.pending.clear();
    },

    // Stop a long computation: the only way to interrupt Python in a worker without
    // SharedArrayBuffer (which static hosting cannot enable) is to terminate it and start again.
    restart() {
      this.stop(new Error("계산을 중지했습니다."));
      this.readyPromise = null;
      this.state = "idle";
      return this.ready();
    },

    // Resolves once the worker is past compiling Pyodide's WebAssembly (the "numpy" stage on), or
    // is ready, or has failed. That compile runs on every core; the Python that follows, on one.
    pastCompile() {
      return new Promise((resolve) => {
        const check = (rt) => {
          const past = rt.state !== "loading" || (rt.progress?.step ?? 0) >= 2;
          if (past) { rt.listeners.delete(check); resolve(); }
          return past;
        };
        if (!check(this)) this.listeners.add(check);
      });
    },

    async call(name, kwargs = {}) {
      await this.ready();
      return new Promise((resolve, reject) => {
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ type: "call", id, name, kwargs: JSON.stringify(kwargs) });
      });
    },
  };

  // ------------------------------------------------------------------------------------------
  // Lazily loaded front-end libraries (self-hosted; only pages with widgets pay for them).
  // ------------------------------------------------------------------------------------------

  const loaded = new Map();
  function loadOnce(url, kind = "script") {
    if (!loaded.has(url)) {
      loaded.set(url, new Promise((resolve, reject) => {
        const element = document.createElement(kind === "css" ? "link" : "script");
        if (kind === "css") { element.rel = "stylesheet"; element.href = url; } else { element.src = url; }
        element.onload = resolve;
        element.onerror = () => { loaded.delete(url); reject(new Error(`불러오지 못했습니다: ${url}`)); };
        document.head.appendChild(element);
      }));
    }
    return loaded.get(url);
  }
  // A notebook page may have loaded Plotly already (notebook-plotly.js): never load it twice. The
  // site's bundle (frontend/plotly.js) starts Plotly in short tasks and resolves window.cs231nPlotly.
  const plotly = () => window.cs231nPlotly
    || loadOnce(assetURL(config.plotly)).then(() => window.cs231nPlotly);
  const katex = () => window.katex ? Promise.resolve(window.katex)
    : Promise.all([loadOnce(assetURL(config.katexCSS), "css"), loadOnce(assetURL(config.katex))])
        .then(() => window.katex);

  // ------------------------------------------------------------------------------------------
  // Small DOM helpers.
  // ------------------------------------------------------------------------------------------

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }

  const formatNumber = (value) => {
    if (typeof value !== "number") return value === null ? "—" : String(value);
    if (Number.isInteger(value)) return value.toLocaleString("en-US");
    const abs = Math.abs(value);
    return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(4) : String(+value.toPrecision(6));
  };

  // Figures take the site's colours and font from theme.js, a script of every page.
  const themed = (layout) => window.cs231nTheme.themed(layout);

  // ------------------------------------------------------------------------------------------
  // Controls: each builder returns {node, get(), set(raw)}; onChange(kind) reports edits.
  // ------------------------------------------------------------------------------------------

  function field(control, input) {
    return el("label", { class: `cs231n-field cs231n-field--${control.kind}`, title: control.help },
      el("span", { class: "cs231n-label", text: control.label }), input);
  }

  function stepText(raw, delta) {
    const value = Number(String(raw).trim());
    if (!Number.isFinite(value)) return raw;
    return String(+(value + delta).toPrecision(12));
  }

  function textInput(name, raw, step, onChange, extra = {}) {
    const input = el("input", { type: "text", inputmode: "decimal", autocomplete: "off",
                                spellcheck: "false", ...extra });
    input.value = raw;
    input.addEventListener("input", () => onChange());
    input.addEventListener("keydown", (event) => {  // arrow keys step like a number box
      if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
      event.preventDefault();
      const delta = (event.key === "ArrowUp" ? 1 : -1) * step * (event.shiftKey ? 10 : 1);
      input.value = stepText(input.value, delta);
      onChange();
    });
    return input;
  }

  const controlBuilders = {
    number(control, raw, onChange) {
      const input = textInput(control.name, raw, control.step || 1, onChange,
                              { "data-control": control.name, "aria-label": control.label });
      return { node: field(control, input), get: () => input.value,
               set: (v) => { if (document.activeElement !== input) input.value = v; } };
    },

    slider(control, raw, onChange) {
      const toPos = (v) => control.log ? Math.log10(Number(v)) : Number(v);
      const fromPos = (p) => {
        const value = control.log ? 10 ** Number(p) : Number(p);
        return control.integer ? String(Math.round(value)) : String(+value.toPrecision(4));
      };
      const [lo, hi] = control.log ? [Math.log10(control.min), Math.log10(control.max)] : [control.min, control.max];
      const range = el("input", { type: "range", min: lo, max: hi, step: control.log ? (hi - lo) / 200 : control.step,
                                  "data-control": control.name, "aria-label": control.label });
      const shown = el("output", { class: "cs231n-slider-value" });
      let current = raw;
      const show = () => { range.value = toPos(current); shown.textContent = current; };
      show();
      range.addEventListener("input", () => { current = fromPos(range.value); shown.textContent = current; onChange(); });
      const parts = [range, shown];
      let player = null;
      if (control.play) {
        const play = el("button", { type: "button", class: "cs231n-button cs231n-play",
                                    "data-play": control.name, text: "▶ 재생" });
        const stopPlaying = () => { clearInterval(player); player = null; play.textContent = "▶ 재생"; };
        play.addEventListener("click", () => {
          if (player) return stopPlaying();
          if (Number(current) >= control.max) current = String(control.min);
          play.textContent = "❚❚ 일시정지";
          player = setInterval(() => {
            const next = Math.min(control.max, Number(current) + control.step);
            current = fromPos(next); show(); onChange();
            if (next >= control.max) stopPlaying();
          }, 60);
        });
        parts.push(play);
      }
      const node = field(control, el("span", { class: "cs231n-slider" }, parts));
      if (control.play) node.classList.add("cs231n-field--play");
      return { node, get: () => current,
               set: (v) => { current = String(v); show(); } };
    },

    select(control, raw, onChange) {
      const select = el("select", { "data-control": control.name, "aria-label": control.label },
        control.options.map(([value, label]) => el("option", { value, text: label })));
      select.value = raw;
      select.addEventListener("change", () => onChange());
      return { node: field(control, select), get: () => select.value, set: (v) => { select.value = v; } };
    },

    checkboxes(control, raw, onChange) {
      const boxes = control.options.map(([value, label]) => {
        const box = el("input", { type: "checkbox", value, "data-control": control.name });
        box.checked = raw.includes(value);
        box.addEventListener("change", () => onChange());
        return el("label", { class: "cs231n-check" }, box, el("span", { text: label }));
      });
      const inputs = () => [...boxes].map((label) => label.querySelector("input"));
      const node = el("fieldset", { class: "cs231n-field cs231n-field--checkboxes", title: control.help },
        el("legend", { class: "cs231n-label", text: control.label }), boxes);
      return { node, get: () => inputs().filter((b) => b.checked).map((b) => b.value),
               set: (v) => inputs().forEach((b) => { b.checked = v.includes(b.value); }) };
    },

    toggle(control, raw, onChange) {
      const box = el("input", { type: "checkbox", "data-control": control.name });
      box.checked = Boolean(raw);
      box.addEventListener("change", () => onChange());
      const node = el("label", { class: "cs231n-field cs231n-check", title: control.help },
        box, el("span", { text: control.label }));
      return { node, get: () => box.checked, set: (v) => { box.checked = Boolean(v); } };
    },

    matrix(control, raw, onChange) {
      const cells = raw.map((row, i) => row.map((value, j) =>
        textInput(control.name, value, control.step, onChange, { "data-cell": `${i},${j}`,
          "aria-label": `${control.label}[${control.row_labels[i]}, ${control.col_labels[j]}]` })));
      const table = el("table", { class: "cs231n-matrix", "data-control": control.name },
        el("thead", {}, el("tr", {}, el("th"), control.col_labels.map((c) => el("th", { text: c })))),
        el("tbody", {}, cells.map((row, i) =>
          el("tr", {}, el("th", { text: control.row_labels[i] }), row.map((input) => el("td", {}, input))))));
      const node = el("div", { class: "cs231n-field cs231n-field--matrix", title: control.help },
        el("span", { class: "cs231n-label", text: control.label }), table);
      return { node, get: () => cells.map((row) => row.map((input) => input.value)),
               set: (v) => cells.forEach((row, i) => row.forEach((input, j) => {
                 if (document.activeElement !== input && v[i] && v[i][j] !== undefined) input.value = v[i][j];
               })) };
    },

    records(control, raw, onChange) {
      let rows = raw.map((row) => ({ ...row }));
      const body = el("tbody");
      const container = el("div", { class: "cs231n-field cs231n-field--records", "data-control": control.name,
                                    title: control.help });
      const fieldInput = (fieldSpec, row, index) => {
        const value = row[fieldSpec.name] ?? fieldSpec.default;
        const attrs = { "data-row": index, "data-field": fieldSpec.name, "aria-label": `${index + 1}번째 ${fieldSpec.label}` };
        let input;
        if (fieldSpec.kind === "select") {
          input = el("select", attrs, fieldSpec.options.map(([v, l]) => el("option", { value: v, text: l })));
          input.value = value;
          input.addEventListener("change", () => { row[fieldSpec.name] = input.value; onChange(); });
        } else if (fieldSpec.kind === "toggle") {
          input = el("input", { type: "checkbox", ...attrs });
          input.checked = Boolean(value);
          input.addEventListener("change", () => { row[fieldSpec.name] = input.checked; onChange(); });
        } else {
          input = textInput(fieldSpec.name, value, fieldSpec.step || 1, () => {
            row[fieldSpec.name] = input.value; onChange();
          }, attrs);
        }
        return el("td", { "data-label": fieldSpec.label }, input);
      };
      const redraw = () => {
        body.replaceChildren(...rows.map((row, index) => el("tr", { "data-row": index },
          el("td", { class: "cs231n-row-number", text: String(index + 1) }),
          control.fields.map((f) => fieldInput(f, row, index)),
          el("td", {}, el("button", { type: "button", class: "cs231n-button cs231n-button--small",
            "data-records-action": "remove", "aria-label": `${index + 1}번째 줄 삭제`, text: "삭제",
            onclick: () => { rows.splice(index, 1); redraw(); onChange(); } })))));
      };
      const defaults = () => Object.fromEntries(control.fields.map((f) => [f.name, f.default]));
      const presetNames = Object.keys(control.presets || {});
      const presetSelect = presetNames.length ? el("select", { "data-records-preset": control.name, "aria-label": "프리셋" },
        presetNames.map((name) => el("option", { value: name, text: name }))) : null;
      container.append(
        el("span", { class: "cs231n-label", text: control.label }),
        el("div", { class: "cs231n-records-scroll" }, el("table", { class: "cs231n-records" },
          el("thead", {}, el("tr", {}, el("th", { text: "#" }), control.fields.map((f) => el("th", { text: f.label })), el("th"))),
          body)),
        el("div", { class: "cs231n-records-actions" },
          el("button", { type: "button", class: "cs231n-button", "data-records-action": "add", text: "+ 줄 추가",
            onclick: () => { rows.push(rows.length ? { ...rows[rows.length - 1] } : defaults()); redraw(); onChange(); } }),
          presetSelect,
          presetSelect && el("button", { type: "button", class: "cs231n-button", "data-records-action": "preset",
            text: "프리셋 불러오기",
            onclick: () => { rows = control.presets[presetSelect.value].map((r) => ({ ...r })); redraw(); onChange(); } })));
      redraw();
      return { node: container, get: () => rows.map((row) => ({ ...row })),
               set: (v) => { if (JSON.stringify(v) !== JSON.stringify(rows)) { rows = v.map((r) => ({ ...r })); redraw(); } } };
    },

    hidden(control, raw) {
      let value = raw;
      return { node: null, get: () => value, set: (v) => { value = v; } };
    },
  };

  // ------------------------------------------------------------------------------------------
  // Outputs.
  // ------------------------------------------------------------------------------------------

  const outputBuilders = {
    stats(output) {
      return el("dl", { class: "cs231n-stats" }, output.items.map(([label, value]) =>
        el("div", { class: "cs231n-stat" }, el("dt", { text: label }), el("dd", { text: formatNumber(value) }))));
    },
    table(output) {
      const highlight = new Set(output.highlight || []);
      return el("div", { class: "cs231n-table" }, el("table", {},
        output.caption ? el("caption", { text: output.caption }) : null,
        el("thead", {}, el("tr", {}, output.columns.map((c) => el("th", { text: c })))),
        el("tbody", {}, output.rows.map((row, i) => el("tr", { class: highlight.has(i) ? "cs231n-highlight" : null },
          row.map((cell) => el("td", { text: formatNumber(cell) })))))));
    },
    legend(output) {
      return el("ul", { class: "cs231n-legend" }, output.items.map((item) =>
        el("li", {}, el("span", { class: `cs231n-legend-mark cs231n-legend-mark--${item.mark}`,
                                  style: `--mark-color: ${item.color}`, "aria-hidden": "true" }),
           item.label)));
    },
    text(output) {
      return el("p", { class: `cs231n-text cs231n-text--${output.tone || "info"}`, text: output.text });
    },
    math(output) {
      const node = el("div", { class: "cs231n-math", "data-tex": output.tex, text: output.tex });
      katex().then((k) => node.replaceChildren(typeset(k, output.tex)))
        .catch(() => {});  // the TeX source stays readable as text
      return node;
    },
  };

  // KaTeX typesets each distinct formula once; later it is a copy of the first result. Widgets
  // keep coming back to formulas they showed before (an edit and its undo, a step scrubber).
  const TYPESET_KEPT = 300;
  const typesetCache = new Map();
  function typeset(k, tex) {
    let template = typesetCache.get(tex);
    if (!template) {
      template = document.createElement("template");
      template.innerHTML = k.renderToString(tex, { displayMode: true, throwOnError: false });
      if (typesetCache.size >= TYPESET_KEPT) typesetCache.delete(typesetCache.keys().next().value);
      typesetCache.set(tex, template);
    }
    return template.content.cloneNode(true);
  }

  // ------------------------------------------------------------------------------------------
  // A widget.
  // ------------------------------------------------------------------------------------------

  class Widget {
    constructor(root) {
      this.root = root;
      this.id = root.dataset.demo;
      this.controls = new Map();
      this.outputNodes = [];
      this.busy = false;
      this.queued = null;           // latest edit waiting for the running update
      this.events = [];             // clicks and actions are never dropped
      this.running = null;          // name of a repeating action, if any
      this.updates = 0;
      root.cs231nWidget = this;
      this.buildShell();
      this.setState("idle");
      this.observeVisibility();
    }

    setState(state) {
      this.root.dataset.state = state;
    }

    buildShell() {
      this.status = el("div", { class: "cs231n-status", role: "status" });
      this.startButton = el("button", { type: "button", class: "cs231n-button", text: "데모 시작",
                                        onclick: () => this.activate() });
      this.controlsNode = el("div", { class: "cs231n-controls" });
      this.message = el("p", { class: "cs231n-message", role: "alert", hidden: true });
      this.outputsNode = el("div", { class: "cs231n-outputs" });
      this.root.replaceChildren(
        el("div", { class: "cs231n-head" }, el("strong", { class: "cs231n-title", text: "인터랙티브 데모" }),
          el("span", { class: "cs231n-badge", text: "NumPy · 브라우저에서 실행" })),
        this.status, this.controlsNode, this.message, this.outputsNode);
      this.showIdle();
    }

    showIdle() {
      this.status.replaceChildren(el("span", { text: "화면에 보이면 Python(Pyodide)과 NumPy를 불러와 실행합니다. " }),
                                  this.startButton);
    }

    observeVisibility() {
      if (!("IntersectionObserver" in window)) return this.activate();
      this.observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) this.activate();
      }, { rootMargin: "200px" });
      this.observer.observe(this.root);
    }

    showProgress(rt) {
      if (rt.state === "loading") {
        const p = rt.progress || { step: 0, total: 3, label: "준비 중" };
        this.status.replaceChildren(
          el("progress", { max: p.total, value: p.step, class: "cs231n-progress" }),
          el("span", { text: ` ${p.label}… (${p.step}/${p.total}단계)` }));
      }
    }

    async activate() {
      if (this.activating) return this.activating;
      if (this.observer) this.observer.disconnect();
      this.activating = this.start();
      return this.activating;
    }

    async start() {
      this.setState("loading");
      const listener = (rt) => this.showProgress(rt);
      runtime.listeners.add(listener);
      this.showProgress(runtime);
      try {
        // Plotly's start-up (about 250 ms of script here) waits until Pyodide is compiled: before,
        // it would take CPU from that compile; after it, the worker runs Python on one core and
        // the page has the other. (Drawing a few figures off screen meanwhile, to have Plotly's
        // code compiled before the first real one, made the first result no sooner once Python
        // loaded from bytecode, and made the page's tasks longer: 20-run A/B.)
        const described = runtime.call("demos.widget.describe", { widget_id: this.id });  // starts it
        const figures = runtime.pastCompile().then(plotly);
        const [spec] = await Promise.all([described, figures]);
        this.spec = spec;
        this.buildControls(spec);
        this.status.replaceChildren();
        this.setState("ready");
        await this.update(null);
      } catch (error) {
        this.activating = null;
        this.showLoadError(error);
      } finally {
        runtime.listeners.delete(listener);
      }
    }

    showLoadError(error) {
      this.setState("error");
      this.status.replaceChildren(
        el("p", { class: "cs231n-text cs231n-text--warn",
                  text: `${error.message} 인터넷 연결이나 사이트 파일을 확인한 뒤 다시 시도하세요.` }),
        el("button", { type: "button", class: "cs231n-button", "data-retry": "", text: "다시 시도",
                       onclick: () => { this.activating = null; this.activate(); } }));
    }

    buildControls(spec) {
      this.root.querySelector(".cs231n-title").textContent = spec.title;
      if (spec.description) {
        this.root.querySelector(".cs231n-head").append(el("p", { class: "cs231n-description", text: spec.description }));
      }
      const buttons = el("div", { class: "cs231n-buttons" });
      const fields = el("div", { class: "cs231n-fields" });
      const wide = el("div", { class: "cs231n-wide" });
      for (const control of spec.controls) {
        if (control.kind === "button") {
          const button = el("button", { type: "button", class: "cs231n-button", "data-action": control.name,
                                        text: control.label });
          button.addEventListener("click", () => this.onButton(control, button));
          buttons.append(button);
          this.controls.set(control.name, { spec: control, button });
          continue;
        }
        const built = controlBuilders[control.kind](control, control.default, () => this.changed());
        this.controls.set(control.name, { spec: control, ...built });
        if (built.node) (["matrix", "records", "checkboxes"].includes(control.kind) ? wide : fields).append(built.node);
      }
      this.controlsNode.replaceChildren(fields, wide, buttons);
    }

    rawState() {
      const state = {};
      for (const [name, c] of this.controls) if (c.get) state[name] = c.get();
      return state;
    }

    applyState(state) {
      for (const [name, value] of Object.entries(state)) {
        const c = this.controls.get(name);
        if (c && c.set && JSON.stringify(c.get()) !== JSON.stringify(value)) c.set(value);
      }
    }

    changed() {
      this.queued = true;
      this.pump();
    }

    onButton(control, button) {
      if (control.repeat) {
        const wasRunning = this.running === control.name;
        this.stopRunning();  // also resets another repeating button that was running
        if (wasRunning) return;
        this.running = control.name;
        button.textContent = "■ 정지";
        button.classList.add("cs231n-button--active");
      }
      this.events.push({ type: "action", name: control.name });
      this.pump();
    }

    onPlotClick(plotId, x, y) {
      this.events.push({ type: "click", plot: plotId, x, y });
      this.pump();
    }

    // One update at a time; edits made meanwhile collapse into one follow-up, events queue in order.
    async pump() {
      if (this.busy || !this.spec) return;
      const event = this.events.shift() || null;
      if (!event && !this.queued) return;
      this.queued = false;
      this.busy = true;
      const slow = setTimeout(() => this.showStopButton(), STOP_BUTTON_AFTER_MS);
      try {
        await this.update(event);
      } finally {
        clearTimeout(slow);
        this.busy = false;
      }
      if (this.running && !this.events.length && this.root.dataset.ok === "true") {
        this.events.push({ type: "action", name: this.running });
        requestAnimationFrame(() => this.pump());
      } else {
        this.pump();
      }
    }

    showStopButton() {
      this.status.replaceChildren(el("span", { text: "계산 중… " }),
        el("button", { type: "button", class: "cs231n-button", "data-stop": "", text: "중지",
                       onclick: () => runtime.restart() }));
    }

    stopRunning() {
      if (!this.running) return;
      const c = this.controls.get(this.running);
      this.running = null;
      c.button.textContent = c.spec.label;
      c.button.classList.remove("cs231n-button--active");
    }

    async update(event) {
      const started = performance.now();
      let answer;
      try {
        answer = await runtime.call("demos.widget.update", { widget_id: this.id, state: this.rawState(), event });
      } catch (error) {
        answer = { ok: false, message: error.message, state: null };
        if (runtime.state !== "ready") this.status.replaceChildren(el("span", { text: "런타임을 다시 준비하는 중…" }));
        runtime.ready().then(() => this.status.replaceChildren()).catch((e) => this.showLoadError(e));
      }
      this.status.replaceChildren();
      if (answer.state) this.applyState(answer.state);
      // Written only when it changes: a styled attribute on the root makes the browser restyle
      // every element inside the widget, typeset formulas included.
      if (this.root.dataset.ok !== String(answer.ok)) this.root.dataset.ok = String(answer.ok);
      if (answer.ok) {
        this.message.hidden = true;
        this.message.textContent = "";
        await this.renderOutputs(answer.outputs);
      } else {
        this.stopRunning();
        this.message.hidden = false;
        this.message.textContent = answer.message;
      }
      this.lastLatency = performance.now() - started;
      this.updates += 1;
      this.root.dataset.updates = String(this.updates);
      this.root.dispatchEvent(new CustomEvent("cs231n:updated", { detail: { ok: answer.ok, ms: this.lastLatency } }));
      preloadWhenIdle();
    }

    // Redraw only what changed: an output equal to the one already shown keeps its node (no new
    // KaTeX typesetting, no Plotly.react), and the container is touched only when nodes change.
    async renderOutputs(outputs) {
      const signature = outputs.map((o) => o.kind + ":" + (o.id || "")).join("|");
      if (signature !== this.signature) {
        for (const node of this.outputNodes) if (node && node.dataset.plot) window.Plotly.purge(node);
        this.outputNodes = outputs.map(() => null);
        this.signature = signature;
      }
      const nodes = [];
      const redraw = [];
      for (const [index, output] of outputs.entries()) {
        const key = JSON.stringify(output);
        let node = this.outputNodes[index];
        if (node && node.cs231nKey === key) {
          nodes.push(node);
          continue;
        }
        if (output.kind === "plot") {
          if (!node) {
            node = el("div", { class: "cs231n-plot", "data-plot": output.id });
            if (output.clickable) this.makeClickable(node, output.id);
          }
          if (node.cs231nFigure) reuseEqualArrays(node.cs231nFigure.data, output.figure.data);
          node.cs231nFigure = output.figure;
          redraw.push(node);
        } else {
          node = outputBuilders[output.kind](output);
          node.dataset.output = String(index);
        }
        node.cs231nKey = key;
        nodes.push(node);
      }
      placeInSlots(this.outputsNode, nodes);
      this.outputNodes = nodes;
      await Promise.all(redraw.map((node) => drawPlot(node)));
    }

    makeClickable(node, plotId) {
      node.classList.add("cs231n-plot--clickable");
      // Plotly's own click event fires only on data points; map any click in the plot area to data coordinates.
      node.addEventListener("click", (event) => {
        const layout = node._fullLayout;
        if (!layout || !layout.xaxis || !layout.yaxis) return;
        const rect = node.getBoundingClientRect();
        const xa = layout.xaxis, ya = layout.yaxis;
        const px = event.clientX - rect.left - xa._offset;
        const py = event.clientY - rect.top - ya._offset;
        if (px < 0 || py < 0 || px > xa._length || py > ya._length) return;
        this.onPlotClick(plotId, xa.p2c(px), ya.p2c(py));
      });
    }
  }

  // Shows `nodes` in order, one per slot, touching only the slots whose node changed. Adding or
  // removing a child of the outputs list makes Chromium restyle every output in it (the page's
  // :first-child / :last-child rules), typeset formulas included; a slot's own child can change
  // without that, so the slots stay put while their number stays the same.
  function placeInSlots(parent, nodes) {
    while (parent.children.length > nodes.length) parent.lastElementChild.remove();
    while (parent.children.length < nodes.length) parent.append(el("div", { class: "cs231n-slot" }));
    nodes.forEach((node, index) => {
      const slot = parent.children[index];
      if (slot.firstChild !== node) slot.replaceChildren(node);
    });
  }

  // Plotly.react tells data changes by identity: every new array is new data, and a new array of
  // a property Plotly cannot animate (marker symbols, hover text) redraws the whole figure. So a
  // new figure gets back the arrays of the one on screen wherever their values are the same.
  function reuseEqualArrays(before, after) {
    for (const key of Object.keys(after)) {
      const old = before[key], now = after[key];
      if (Array.isArray(old) && Array.isArray(now)) {
        if (sameValues(old, now)) after[key] = old;
      } else if (old && now && typeof old === "object" && typeof now === "object") {
        reuseEqualArrays(old, now);
      }
    }
  }

  function sameValues(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      if (!(Array.isArray(a[i]) && Array.isArray(b[i]) && sameValues(a[i], b[i]))) return false;
    }
    return true;
  }

  // Once this page's widgets are drawn and the worker has nothing to do, it imports the other
  // demos' code (demos.widget.preload), once per worker: a demo page reached next by instant
  // navigation then draws without waiting for those imports (knn's first picture: about 0.2 s
  // sooner). Not earlier: the worker runs one call at a time, and a widget still starting on this
  // page would wait behind it.
  let preloadedBy = null;
  function preloadWhenIdle() {
    if (preloadedBy === runtime.worker || runtime.state !== "ready") return;
    const idle = () => runtime.pending.size === 0 && !document.querySelector('.cs231n-demo[data-state="loading"]');
    if (!idle()) return;                               // the next update asks again
    preloadedBy = runtime.worker;
    const whenIdle = window.requestIdleCallback ?? ((run) => setTimeout(run, 0));
    whenIdle(() => {
      if (!idle() || preloadedBy !== runtime.worker) { preloadedBy = null; return; }
      performance.mark("cs231n:preload");
      runtime.call("demos.widget.preload").catch(() => {});   // only an optimisation
    }, { timeout: 2000 });
  }

  // A figure with equal-aspect axes (yaxis.scaleanchor "x", both ranges fixed: kNN's plane, the
  // optimizer paths) keeps that aspect inside its fixed height, so in a narrow box (a phone) Plotly
  // shrinks the plot and leaves empty bands above and below it. Such a figure gets only the height
  // its width needs, never more than it asked for.
  const equalAspect = (layout) => layout.yaxis?.scaleanchor === "x" && layout.xaxis?.range && layout.yaxis.range
                                  && layout.height;
  // Half of the top tick label stands above the plot area: with no empty band left, the margin has
  // to hold it, or Plotly hides the label.
  const TOP_LABEL_ROOM_PX = 10;

  // Sets the (themed) layout's height for `width`, and the top margin that height needs.
  function fitToWidth(layout, width) {
    const margin = { l: 80, r: 80, t: 100, b: 80, ...layout.margin };   // Plotly's defaults
    margin.t = Math.max(margin.t, TOP_LABEL_ROOM_PX);
    const span = (range) => Math.abs(range[1] - range[0]);
    const plotHeight = (width - margin.l - margin.r) * (layout.yaxis.scaleratio ?? 1)
                       * span(layout.yaxis.range) / span(layout.xaxis.range);
    layout.margin = margin;
    layout.height = Math.min(layout.height, Math.ceil(plotHeight + margin.t + margin.b));
  }

  function drawPlot(node) {
    const figure = node.cs231nFigure;
    const layout = themed(figure.layout || {});
    if (equalAspect(layout)) {
      node.cs231nFittedWidth = node.clientWidth;
      fitToWidth(layout, node.cs231nFittedWidth);
    }
    if (node.classList.contains("cs231n-plot--clickable")) layout.dragmode = false;
    const drawn = window.Plotly.react(node, figure.data, layout,
      { displayModeBar: false, responsive: true, scrollZoom: false, ...(figure.config || {}) });
    // With a transition of duration 0 (demos.optim's paths) the new picture is in the page when
    // react returns, but Plotly settles its promise only in a later task, often after the browser
    // has painted that picture: the widget does not wait for it.
    if (layout.transition && !layout.transition.duration) {
      drawn.catch((error) => console.warn("Plotly:", error));
      return Promise.resolve();
    }
    return drawn;
  }

  // A phone turned sideways: equal-aspect figures take the height of their new width (Plotly's own
  // responsive resize keeps the height they were drawn with).
  addEventListener("resize", () => {
    for (const node of document.querySelectorAll(".cs231n-plot")) {
      if (node.cs231nFittedWidth && node.clientWidth !== node.cs231nFittedWidth) drawPlot(node);
    }
  });

  // Redraw every plot when the reader flips light / dark mode.
  new MutationObserver(() => {
    for (const node of document.querySelectorAll(".cs231n-plot")) if (node.cs231nFigure) drawPlot(node);
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  function mountAll() {
    for (const root of document.querySelectorAll(".cs231n-demo[data-demo]")) {
      if (!root.cs231nWidget) new Widget(root);
    }
    // Runnable cells (cells.js) load only on pages that have them; they start Python on 실행.
    if (document.querySelector(".cs231n-cell")) {
      loadOnce(assetURL("assets/cs231n/cells.js")).then(() => window.cs231n.mountCells())
        .catch((error) => console.warn(error));
    }
    document.dispatchEvent(new CustomEvent("cs231n:mounted"));
  }

  window.cs231n = {
    ...window.cs231n,
    runtime,
    ready: () => runtime.ready(),
    call: (name, kwargs) => runtime.call(name, kwargs),
    restart: () => runtime.restart(),
    mountAll,
    loadOnce,
    assetURL,
    el,
    plotly,
    katex,
    themed,
  };
})();
