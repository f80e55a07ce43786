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
  // A load that shows no sign of progress for this long may have stalled (a file that never
  // arrives): it says so and offers 다시 시도. Long, because one step can be megabytes on a slow
  // connection; tests shorten it with window.CS231N_LOAD_STALL_MS.
  const LOAD_STALL_MS = 60_000;
  // No demo argument nests deeper; Pyodide's JSON parser overflows its stack on a few thousand.
  const MAX_ARGUMENT_DEPTH = 100;
  const STOPPED = "계산을 중지했습니다.";

  // An Error that says what kind of failure it is: "load" (the runtime could not load), "stopped"
  // (the reader pressed 중지), "argument" (what JavaScript could not send), "python" (an answer).
  const failure = (message, kind) => Object.assign(new Error(message), { kind });

  function deferred() {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  }

  // The deepest nesting of arrays / objects in a JSON text (brackets inside strings do not count).
  function jsonDepth(json) {
    let depth = 0, deepest = 0, inString = false;
    for (let i = 0; i < json.length; i++) {
      const c = json[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
      else if (c === "]" || c === "}") depth--;
    }
    return deepest;
  }

  // kwargs -> the JSON text the worker gets. What JSON cannot carry (a cycle, a BigInt) or nests
  // deeper than any argument fails here at once, in Korean, before anything is queued.
  function encodeArguments(name, kwargs) {
    if (typeof name !== "string") {
      throw failure("호출할 함수의 이름은 'demos.<모듈>.<함수>' 형식의 문자열이어야 합니다.", "argument");
    }
    let json;
    try {
      json = JSON.stringify(kwargs ?? {});
    } catch {
      throw failure("인자를 JSON으로 바꿀 수 없습니다. 자기 자신을 가리키는 객체(순환 참조)나 BigInt 값은 "
                    + "넘길 수 없습니다.", "argument");
    }
    if (json === undefined) throw failure("인자는 {이름: 값} 형태의 객체여야 합니다.", "argument");
    const depth = jsonDepth(json);
    if (depth > MAX_ARGUMENT_DEPTH) {
      throw failure(`인자가 너무 깊게 중첩되어 있습니다 (깊이 ${depth}, 최대 ${MAX_ARGUMENT_DEPTH}).`, "argument");
    }
    return json;
  }

  // A worker's answer to a call, as an object: a text that is not JSON still settles the call.
  function parseAnswer(json) {
    try {
      const answer = JSON.parse(json);
      if (answer && typeof answer === "object") return answer;
    } catch { /* below */ }
    return { error: "Python 런타임의 답을 읽을 수 없습니다. 다시 시도하세요." };
  }

  // ------------------------------------------------------------------------------------------
  // Runtime: the worker, its loading progress, and calls into Python.
  // ------------------------------------------------------------------------------------------

  const runtime = {
    state: "idle",           // idle | loading | ready | error
    progress: null,          // {step, total, label}
    error: null,
    stats: { starts: 0, loadSeconds: null },
    worker: null,
    loading: null,           // deferred of the current load; null before one and after a failure
    stallTimer: null,
    stalled: 0,              // once a load looks stalled, how long it has shown no progress (ms)
    // id -> {id, name, json, label, owner, resolve, reject}. The worker runs calls one at a time,
    // in the order sent: the first entry is the one running (once the runtime is ready).
    pending: new Map(),
    nextId: 1,
    listeners: new Set(),

    notify() { for (const listener of this.listeners) listener(this); },

    ready() {
      if (this.loading) return this.loading.promise;
      const loading = this.loading = deferred();
      this.startWorker();
      return loading.promise;   // already rejected if a kept error failed the load
    },

    // boot.js spawns the worker (perhaps already at page load) and sends it the configuration. Calls
    // left waiting by a worker that was stopped are sent again to this one, in their order.
    startWorker() {
      this.state = "loading";
      this.error = null;
      this.progress = { step: 0, total: 3, label: "Python 런타임 준비 중" };
      this.stats.starts += 1;
      const { worker, early } = window.cs231n.takeWorker();
      this.worker = worker;
      // A stopped worker's last messages may still be on their way: only this one's count.
      const hear = (event) => { if (this.worker === worker) this.onMessage(event.data); };
      const onError = (event) => {
        event.preventDefault();
        if (this.worker === worker) this.fail(`워커 오류: ${event.message || "알 수 없음"}`);
      };
      worker.onmessage = hear;
      worker.onerror = onError;
      this.watchForStall();
      this.notify();
      for (const call of [...this.pending.values()]) {
        if (call.dropped) this.pending.delete(call.id);
        else this.post(call);
      }
      for (const event of early) (event.type === "error" ? onError : hear)(event);
    },

    // (Re)starts the stall timer: every message of a loading worker is a sign of progress. Those
    // come with each file's headers, not with its bytes (reading the wasm's bytes on their way
    // would cost it its compiled-code cache), so for a while a slow connection and a dead one look
    // alike: a stalled load only says so and offers 다시 시도 (retryLoad). It goes on meanwhile,
    // and finishes if the file arrives after all.
    watchForStall() {
      clearTimeout(this.stallTimer);
      if (this.stalled) { this.stalled = 0; this.notify(); }
      const ms = Number(window.CS231N_LOAD_STALL_MS) || LOAD_STALL_MS;
      this.stallTimer = setTimeout(() => { this.stalled = ms; this.notify(); }, ms);
    },

    stallMessage() {
      const p = this.progress;
      return `내려받기가 ${Math.round(this.stalled / 1000)}초 넘게 끝나지 않고 있습니다 (${p.label}, `
             + `${p.step}/${p.total}단계). 연결이 끊겼다면 다시 시도하세요. 연결이 느릴 뿐이면 기다리는 동안 이어서 불러옵니다.`;
    },

    // 다시 시도 on a stalled load: the same load, in a new worker (whoever waits for it still does).
    retryLoad() {
      if (this.state === "loading") this.replaceWorker();
    },

    onMessage(message) {
      if (this.state === "loading") this.watchForStall();
      if (message.type === "progress") {
        performance.mark(`cs231n:stage-${message.stage}`);
        this.progress = message;
        this.notify();
      } else if (message.type === "ready") {
        clearTimeout(this.stallTimer);
        this.state = "ready";
        performance.mark("cs231n:runtime-ready");
        this.stats.loadSeconds = message.seconds;
        this.notify();
        this.loading.resolve();
      } else if (message.type === "init-error") {
        console.warn("Pyodide init failed:", message.message, message.detail);
        this.fail(message.message);
      } else if (message.type === "result") {
        this.settle(message);
      }
    },

    // A call's answer: {ok} resolves it, {error} rejects it with the (Korean) message. A runtime
    // that broke (fatal) is replaced; the calls queued behind go to the new one.
    settle(message) {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      const answer = parseAnswer(message.json);
      if ("ok" in answer) call.resolve(answer.ok);
      else {
        if (answer.detail) console.warn(answer.detail);
        call.reject(failure(answer.error, answer.fatal ? "fatal" : "python"));
      }
      if (answer.fatal) this.replaceWorker();
      this.notify();   // whoever waits behind it sees the queue move
    },

    fail(reason) {
      this.state = "error";
      this.error = reason;
      this.terminate();
      const error = failure(`Python 런타임을 불러오지 못했습니다: ${reason.replace(/\.\s*$/, "")}.`, "load");
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
      const loading = this.loading;
      this.loading = null;
      this.notify();
      loading?.reject(error);
    },

    terminate() {
      clearTimeout(this.stallTimer);
      this.stalled = 0;
      if (this.worker) this.worker.terminate();
      this.worker = null;
    },

    // The call the worker is running now, if any.
    runningCall() {
      return this.state === "ready" ? this.pending.values().next().value ?? null : null;
    },

    // 중지. The only way to interrupt Python in a worker without SharedArrayBuffer (which static
    // hosting cannot enable) is to terminate it and start another. Only the computation running
    // now is stopped (its caller hears STOPPED); the calls queued behind it go to the new worker,
    // so whoever waited simply gets its answer.
    restart() {
      const running = this.runningCall();
      if (running) {
        this.pending.delete(running.id);
        running.reject(failure(STOPPED, "stopped"));
      }
      return this.replaceWorker();
    },

    // A new worker; a load in progress goes on in it (nothing was running yet).
    replaceWorker() {
      this.terminate();
      if (this.state === "loading" && this.loading) {
        this.startWorker();
        return this.loading.promise;
      }
      this.loading = null;
      return this.ready();
    },

    // One caller's 중지 (a code cell's): interrupts the worker if that call is the one running;
    // a call still waiting is dropped instead (the worker skips it, or its answer is ignored), and
    // the computation ahead of it goes on. Returns "restarted" or "dropped".
    stop(ticket) {
      if (ticket.id !== undefined && this.runningCall()?.id === ticket.id) {
        this.restart();
        return "restarted";
      }
      ticket.cancelled = true;
      const call = this.pending.get(ticket.id);
      if (call) {
        call.dropped = true;
        call.reject(failure(STOPPED, "stopped"));
        this.worker?.postMessage({ type: "cancel", id: call.id });
      }
      return "dropped";
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

    // `ticket` says who calls and what for ({label, owner}); the call's id is written into it.
    async call(name, kwargs = {}, ticket = {}) {
      const json = encodeArguments(name, kwargs);
      await this.ready();
      if (ticket.cancelled) throw failure(STOPPED, "stopped");
      return new Promise((resolve, reject) => {
        const call = { id: this.nextId++, name, json, resolve, reject,
                       label: ticket.label || "페이지에서 요청한 계산", owner: ticket.owner ?? null };
        ticket.id = call.id;
        this.pending.set(call.id, call);
        this.post(call);
      });
    },

    post(call) {
      this.worker.postMessage({ type: "call", id: call.id, name: call.name, kwargs: call.json });
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
      return { node: field(control, input), get: () => input.value, set: (v) => { input.value = v; } };
    },

    textbox(control, raw, onChange) {
      const input = el("input", { type: "text", autocomplete: "off", spellcheck: "false",
                                  "data-control": control.name, "aria-label": control.label });
      input.value = raw;
      input.addEventListener("input", () => onChange());
      return { node: field(control, input), get: () => input.value,
               set: (v) => { input.value = v; } };
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
      // A screen reader announces aria-valuetext instead of the position (log10 of the value).
      const say = () => { shown.textContent = current; range.setAttribute("aria-valuetext", current); };
      const show = () => { range.value = toPos(current); say(); };
      show();
      range.addEventListener("input", () => { current = fromPos(range.value); say(); onChange(); });
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
      const node = el("fieldset", { class: "cs231n-field cs231n-field--matrix", title: control.help },
        el("legend", { class: "cs231n-label", text: control.label }), table);
      return { node, get: () => cells.map((row) => row.map((input) => input.value)),
               set: (v) => cells.forEach((row, i) => row.forEach((input, j) => {
                 if (v[i] && v[i][j] !== undefined) input.value = v[i][j];
               })) };
    },

    records(control, raw, onChange) {
      let rows = raw.map((row) => ({ ...row }));
      const body = el("tbody");
      const container = el("fieldset", { class: "cs231n-field cs231n-field--records", "data-control": control.name,
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
            onclick: () => remove(index) })))));
      };
      const defaults = () => Object.fromEntries(control.fields.map((f) => [f.name, f.default]));
      const presetNames = Object.keys(control.presets || {});
      const presetSelect = presetNames.length ? el("select", { "data-records-preset": control.name, "aria-label": "프리셋" },
        presetNames.map((name) => el("option", { value: name, text: name }))) : null;
      const add = el("button", { type: "button", class: "cs231n-button", "data-records-action": "add", text: "+ 줄 추가",
        onclick: () => { rows.push(rows.length ? { ...rows[rows.length - 1] } : defaults()); redraw(); onChange(); } });
      // The keyboard stays in place: on the 삭제 of the row that moved up, or on + 줄 추가.
      const remove = (index) => {
        rows.splice(index, 1);
        redraw();
        onChange();
        (body.querySelectorAll('[data-records-action="remove"]')[index] ?? add).focus();
      };
      // The buttons sit above the table: a new row grows the table below them, so the button stays
      // under the pointer and a double click adds two rows.
      container.append(
        el("legend", { class: "cs231n-label", text: control.label }),
        el("div", { class: "cs231n-records-actions" }, add,
          presetSelect && el("label", { class: "cs231n-records-preset" }, "프리셋 ", presetSelect),
          presetSelect && el("button", { type: "button", class: "cs231n-button", "data-records-action": "preset",
            text: "프리셋 불러오기",
            onclick: () => { rows = control.presets[presetSelect.value].map((r) => ({ ...r })); redraw(); onChange(); } })),
        el("div", { class: "cs231n-records-scroll" }, el("table", { class: "cs231n-records" },
          el("thead", {}, el("tr", {}, el("th", { text: "#" }), control.fields.map((f) => el("th", { text: f.label })), el("th"))),
          body)));
      redraw();
      return { node: container, get: () => rows.map((row) => ({ ...row })),
               set: (v) => { rows = v.map((r) => ({ ...r })); redraw(); } };
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
  // Picture first: primary controls, the 고급 설정 section, and each picture's text alternative.
  // ------------------------------------------------------------------------------------------

  // A widget reads top to bottom as: its primary controls (demos.widget.widget(primary=...)), its
  // key numbers and first picture (the lead), the collapsed 고급 설정 section, then the other
  // outputs (notes, formulas, tables) in the order the widget lists them. So the picture sits
  // between the two sets of controls on every screen, and a link to the widget shows it in the
  // first screen. (A phone shows the lead above the primary controls: host.css.)

  function controlGroups() {
    return { fields: el("div", { class: "cs231n-fields" }), wide: el("div", { class: "cs231n-wide" }),
             buttons: el("div", { class: "cs231n-buttons" }) };
  }

  // Reading localStorage throws where storage is blocked: the section then simply starts closed.
  const stored = {
    get(key) { try { return localStorage.getItem(key); } catch { return null; } },
    set(key, value) { try { localStorage.setItem(key, value); } catch { /* not remembered */ } },
  };

  function buildAdvanced(widget, groups) {
    const count = advancedCount(widget.spec);
    if (!count) return;
    const key = `cs231n:advanced-open:${widget.id}`;
    const details = el("details", { class: "cs231n-advanced" },
      el("summary", { class: "cs231n-advanced-summary" }, "고급 설정",
        el("span", { class: "cs231n-advanced-count", text: ` (${count}개)` })),
      el("div", { class: "cs231n-controls cs231n-controls--advanced" }, groups.fields, groups.wide, groups.buttons));
    details.open = stored.get(key) === "1";
    details.addEventListener("toggle", () => stored.set(key, details.open ? "1" : "0"));
    widget.leadNode.after(details);
  }

  const advancedCount = (spec) => spec.controls.filter((c) => c.kind !== "hidden" && !spec.primary.includes(c.name)).length;

  // Indices of the outputs that lead: the key numbers (stats) listed before the first picture,
  // that picture and the legend right after it. With no picture, every output leads.
  function leadIndices(outputs) {
    const plot = outputs.findIndex((o) => o.kind === "plot");
    if (plot < 0) return outputs.map((_, index) => index);
    const lead = outputs.slice(0, plot).flatMap((o, index) => (o.kind === "stats" ? [index] : []));
    lead.push(plot);
    if (outputs[plot + 1]?.kind === "legend") lead.push(plot + 1);
    return lead;
  }

  function placeOutputs(widget, outputs, nodes) {
    const lead = new Set(leadIndices(outputs));
    placeInSlots(widget.leadNode, nodes.filter((_, index) => lead.has(index)));
    placeInSlots(widget.restNode, nodes.filter((_, index) => !lead.has(index)));
    outputs.forEach((output, index) => {
      if (output.kind !== "plot") return;
      const node = nodes[index], label = plotAlt(output, outputs, widget.spec.title);
      if (node.getAttribute("aria-label") !== label) node.setAttribute("aria-label", label);
      if (node.getAttribute("role") !== "img") node.setAttribute("role", "img");
    });
  }

  // What a screen reader says for a picture: the widget's own sentence (plot(alt=...)), or else its
  // key numbers (the stats outputs), which state the current result.
  function plotAlt(output, outputs, widgetTitle) {
    if (output.alt) return output.alt;
    const name = figureName(output.figure, widgetTitle);
    const numbers = outputs.filter((o) => o.kind === "stats").flatMap((o) => o.items)
      .map(([label, value]) => `${label} ${formatNumber(value)}`);
    return numbers.length ? `${name}. 현재 결과: ${numbers.join(", ")}.`
                          : `${name}. 자세한 값은 그림 아래의 표와 설명에 있습니다.`;
  }

  function figureName(figure, widgetTitle) {
    const text = (title) => (typeof title === "string" ? title : title?.text) || "";
    const layout = figure.layout || {};
    if (text(layout.title)) return `그림: ${text(layout.title)}`;
    const axes = [["x축", layout.xaxis], ["y축", layout.yaxis]].filter(([, axis]) => text(axis?.title))
      .map(([name, axis]) => `${name} ${text(axis.title)}`);
    return axes.length ? `그림 (${axes.join(", ")})` : `그림: ${widgetTitle}`;
  }

  // ------------------------------------------------------------------------------------------
  // State in the page address, shared links, defaults.
  // ------------------------------------------------------------------------------------------

  // Each widget keeps its non-default raw values in the query, one parameter per control:
  //   ?optim.surface=rosenbrock&optim.lr_sgd=0.001&optim.optimizers=sgd,adam#demo-optim
  // (check boxes: values joined by ","; a grid: rows by ";" and cells by ","; a list of rows:
  // rows by ";", each "field:value,..." for its non-default fields, "-" for none; hidden state:
  // JSON). The query, because Material rewrites the #fragment as the reader scrolls
  // (navigation.tracking) but keeps the query. Other parameters (Material's ?h=) stay as they are.
  const ADDRESS_WRITE_MS = 300;
  const readable = (text) => text.replace(/%(5B|5D|7B|7D|2C|3A)/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  const piece = (value) => encodeURIComponent(String(value));

  const addressCodecs = {
    text: {
      encode: (control, raw) => piece(raw),
      decode: (control, text) => decodeURIComponent(text),
    },
    toggle: {
      encode: (control, raw) => (raw ? "1" : "0"),
      decode: (control, text) => {
        if (text === "1" || text === "0") return text === "1";
        throw new Error("1이나 0이어야 합니다");
      },
    },
    checkboxes: {
      encode: (control, raw) => raw.map(piece).join(","),
      decode: (control, text) => (text === "" ? [] : text.split(",").map(decodeURIComponent)),
    },
    matrix: {
      encode: (control, raw) => raw.map((row) => row.map(piece).join(",")).join(";"),
      decode: (control, text) => text.split(";").map((row) => row.split(",").map(decodeURIComponent)),
    },
    records: {
      encode: (control, raw) => raw.map((row) => control.fields
        .filter((f) => row[f.name] !== undefined && String(row[f.name]) !== String(f.default))
        .map((f) => `${f.name}:${f.kind === "toggle" ? (row[f.name] ? "1" : "0") : piece(row[f.name])}`)
        .join(",") || "-").join(";"),
      decode: (control, text) => (text === "" ? [] : text.split(";").map((row) => decodeRecord(control, row))),
    },
    hidden: {
      encode: (control, raw) => readable(piece(JSON.stringify(raw))),
      decode: (control, text) => JSON.parse(decodeURIComponent(text)),
    },
  };
  const codecOf = (control) => addressCodecs[control.kind] || addressCodecs.text;

  function decodeRecord(control, text) {
    const row = Object.fromEntries(control.fields.map((f) => [f.name, f.default]));
    if (text === "-") return row;
    for (const cell of text.split(",")) {
      const at = cell.indexOf(":");
      const field = control.fields.find((f) => f.name === cell.slice(0, at));
      if (at < 0 || !field) throw new Error("알 수 없는 칸");
      const value = decodeURIComponent(cell.slice(at + 1));
      row[field.name] = field.kind === "toggle" ? addressCodecs.toggle.decode(field, value) : value;
    }
    return row;
  }

  // The query's parameters as [raw key, raw value] pairs, in order, untouched.
  const queryPairs = (search) => search.replace(/^\?/, "").split("&").filter(Boolean)
    .map((pair) => { const at = pair.indexOf("="); return at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)]; });

  function keyName(rawKey) {
    try { return decodeURIComponent(rawKey); } catch { return null; }
  }

  // This widget's values in the address: {state: {name: raw}, problems: [Korean sentences]}.
  function readAddressState(widget) {
    const prefix = `${widget.id}.`;
    const state = {}, problems = [];
    for (const [rawKey, rawValue] of queryPairs(location.search)) {
      const key = keyName(rawKey);
      if (!key || !key.startsWith(prefix)) continue;
      const name = key.slice(prefix.length);
      const control = widget.spec.controls.find((c) => c.name === name && c.kind !== "button"
                                                      && c.in_address !== false);
      if (!control) { problems.push(`'${name}'라는 설정은 없습니다.`); continue; }
      try {
        state[name] = codecOf(control).decode(control, rawValue);
      } catch {
        problems.push(`'${control.label || name}' 값을 읽을 수 없습니다.`);
      }
    }
    return { state, problems };
  }

  // The address with this widget's parameters replaced by `state`'s non-default values.
  function addressWith(href, widget, state) {
    const url = new URL(href);
    const prefix = `${widget.id}.`;
    const kept = queryPairs(url.search).filter(([rawKey]) => !keyName(rawKey)?.startsWith(prefix));
    const ours = [];
    for (const control of widget.spec.controls) {
      if (control.kind === "button" || control.in_address === false || !(control.name in state)) continue;
      const { encode } = codecOf(control);
      const value = encode(control, state[control.name]);
      if (value !== encode(control, control.default)) ours.push([piece(prefix + control.name), value]);
    }
    const query = [...kept, ...ours].map(([key, value]) => `${key}=${value}`).join("&");
    url.search = query ? `?${query}` : "";
    return url.href;
  }

  // The first update starts from the address: values the host cannot read, and those Python
  // rejects (demos.widget.restore), keep their defaults and are named in a short notice.
  async function startFromAddress(widget) {
    const { state, problems } = readAddressState(widget);
    if (Object.keys(state).length) {
      let vetted;
      try {
        vetted = await runtime.call("demos.widget.restore", { widget_id: widget.id, state });
      } catch (error) {
        vetted = { state: {}, rejected: [error.message] };
      }
      problems.push(...vetted.rejected);
      widget.applyState(vetted.state);
    }
    showNotice(widget, problems.length
      ? `주소(링크)의 설정 중 쓸 수 없는 값은 기본값으로 두었습니다. ${problems.join(" ")}` : "");
    followAddress(widget);
    await widget.update(null);
  }

  // After every update Python accepted, the address follows (replaceState: no history entry per
  // keystroke, at most one write per ADDRESS_WRITE_MS). A value Python rejected never gets there.
  function followAddress(widget) {
    if (widget.followsAddress) return;
    widget.followsAddress = true;
    widget.root.addEventListener("cs231n:updated", (event) => {
      if (!event.detail.ok) return;
      widget.acceptedState = widget.rawState();
      if (!widget.addressTimer) widget.addressTimer = setTimeout(() => writeAddress(widget), ADDRESS_WRITE_MS);
    });
    // The notice is about the address the reader opened: their first own edit makes it moot.
    for (const type of ["input", "change"]) widget.root.addEventListener(type, () => showNotice(widget, ""));
  }

  function writeAddress(widget) {
    clearTimeout(widget.addressTimer);
    widget.addressTimer = null;
    // The reader has left the page (the new page's address may already be there, its DOM not yet).
    if (!widget.root.isConnected || location.pathname !== widget.pagePath || !widget.acceptedState) return;
    const href = addressWith(location.href, widget, widget.acceptedState);
    if (href !== location.href) history.replaceState(history.state, "", href);
  }

  function showNotice(widget, text) {
    if (!widget.notice || widget.notice.textContent === text) return;
    widget.notice.textContent = text;
    widget.notice.hidden = !text;
  }

  function defaultState(spec) {
    return Object.fromEntries(spec.controls.filter((c) => c.kind !== "button").map((c) => [c.name, c.default]));
  }

  function resetToDefaults(widget) {
    widget.stopRunning();
    showNotice(widget, "");
    widget.applyState(defaultState(widget.spec));
    widget.acceptedState = defaultState(widget.spec);
    writeAddress(widget);
    widget.changed();
  }

  async function copyLink(widget, note) {
    if (widget.addressTimer) writeAddress(widget);
    const url = new URL(location.href);
    url.hash = `demo-${widget.id}`;
    const copied = await copyText(url.href);
    note.replaceChildren(copied ? "링크를 복사했습니다."
      : el("span", {}, "복사하지 못했습니다. 이 주소를 복사하세요: ",
           el("input", { type: "text", readonly: true, class: "cs231n-share-url", value: url.href,
                         "aria-label": "이 설정의 링크" })));
    if (!copied) note.querySelector("input").select();
    clearTimeout(note.cs231nTimer);
    if (copied) note.cs231nTimer = setTimeout(() => note.replaceChildren(), 2500);
  }

  // navigator.clipboard needs a secure context and permission; the older execCommand route works
  // in more places (http:// on a LAN address).
  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch { /* try the fallback */ }
    const focused = document.activeElement;
    const area = el("textarea", { readonly: true, class: "cs231n-copy-buffer", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch { copied = false; }
    area.remove();
    focused?.focus?.();
    return copied;
  }

  function buildShareBar(widget) {
    const note = el("span", { class: "cs231n-share-note", role: "status" });
    widget.notice = el("p", { class: "cs231n-notice", role: "status", hidden: true });
    const bar = el("div", { class: "cs231n-share" },
      el("button", { type: "button", class: "cs231n-button cs231n-button--quiet", "data-share": "copy",
                     text: "링크 복사", title: "지금 설정을 담은 이 데모의 링크를 복사합니다",
                     onclick: () => copyLink(widget, note) }),
      el("button", { type: "button", class: "cs231n-button cs231n-button--quiet", "data-share": "reset",
                     text: "기본값", title: "모든 설정을 처음 값으로 되돌립니다",
                     onclick: () => resetToDefaults(widget) }),
      note);
    const head = widget.root.querySelector(".cs231n-head");
    head.querySelector(".cs231n-badge").after(bar);
    head.after(widget.notice);
  }

  // ------------------------------------------------------------------------------------------
  // A widget.
  // ------------------------------------------------------------------------------------------

  // Raw control values are JSON (strings, bools, lists, plain objects).
  const sameRaw = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const isRecord = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const sameKeys = (...objects) => objects.every((o) => sameRaw(Object.keys(o), Object.keys(objects[0])));

  // A three-way merge of one control's raw value: `sent` with a request, `answered` by Python, and
  // `current` in the control now. The reader's edits since the request win; Python's changes apply
  // where the reader did not touch; lists and records of the same shape merge entry by entry (a
  // training step's new W keeps the one cell being typed into).
  function mergeRaw(sent, answered, current) {
    if (sameRaw(current, sent)) return answered;
    if (sameRaw(answered, sent)) return current;
    if (Array.isArray(sent) && Array.isArray(answered) && Array.isArray(current)
        && sent.length === answered.length && sent.length === current.length) {
      return sent.map((value, i) => mergeRaw(value, answered[i], current[i]));
    }
    if (isRecord(sent) && isRecord(answered) && isRecord(current) && sameKeys(sent, answered, current)) {
      return Object.fromEntries(Object.keys(sent).map((k) => [k, mergeRaw(sent[k], answered[k], current[k])]));
    }
    return current;
  }

  class Widget {
    constructor(root) {
      this.root = root;
      this.pagePath = location.pathname;
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
      this.leadNode = el("div", { class: "cs231n-outputs-lead" });     // through the first picture
      this.restNode = el("div", { class: "cs231n-outputs-rest" });     // after the 고급 설정 section
      this.outputsNode = el("div", { class: "cs231n-outputs" }, this.leadNode, this.restNode);
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
      const p = rt.progress || { step: 0, total: 3, label: "준비 중" };
      this.status.replaceChildren(
        el("progress", { max: p.total, value: p.step, class: "cs231n-progress" }),
        el("span", { text: ` ${p.label}… (${p.step}/${p.total}단계)` }));
      if (!rt.stalled) return;
      this.status.append(el("p", { class: "cs231n-text cs231n-text--warn", text: rt.stallMessage() }),
        el("button", { type: "button", class: "cs231n-button", "data-retry": "", text: "다시 시도",
                       onclick: () => runtime.retryLoad() }));
    }

    // Who this widget's calls are, for the runtime's queue and for other waiting widgets.
    ticket() {
      return { label: "다른 데모", owner: this };
    }

    // While a call of this widget waits, its status says why: the runtime's loading progress, or,
    // after STOP_BUTTON_AFTER_MS, the computation it waits for (its own, or one ahead of it such
    // as a code cell's) with a 중지 that stops that computation. Returns the function that ends it.
    watchWait() {
      let long = false;
      let shown = null;
      const show = (rt) => {
        if (rt.state === "loading") { shown = null; return this.showProgress(rt); }
        if (!long || rt.state !== "ready") return;
        const running = rt.runningCall();
        const text = running && running.owner !== this
          ? `앞선 계산(${running.label})이 끝나기를 기다리는 중… ` : "계산 중… ";
        if (text === shown) return;   // the same 중지 button stays under the pointer
        shown = text;
        this.status.replaceChildren(el("span", { text }),
          el("button", { type: "button", class: "cs231n-button", "data-stop": "", text: "중지",
                         onclick: () => runtime.restart() }));
      };
      const timer = setTimeout(() => { long = true; show(runtime); }, STOP_BUTTON_AFTER_MS);
      runtime.listeners.add(show);
      if (runtime.state === "loading") show(runtime);
      return () => { clearTimeout(timer); runtime.listeners.delete(show); };
    }

    async activate() {
      if (this.activating) return this.activating;
      if (this.observer) this.observer.disconnect();
      this.activating = this.start();
      return this.activating;
    }

    async start() {
      this.setState("loading");
      const endWait = this.watchWait();
      try {
        // Plotly's start-up (about 250 ms of script here) waits until Pyodide is compiled: before,
        // it would take CPU from that compile; after it, the worker runs Python on one core and
        // the page has the other. (Drawing a few figures off screen meanwhile, to have Plotly's
        // code compiled before the first real one, made the first result no sooner once Python
        // loaded from bytecode, and made the page's tasks longer: 20-run A/B.)
        const described = runtime.call("demos.widget.describe", { widget_id: this.id }, this.ticket());  // starts it
        const figures = runtime.pastCompile().then(plotly);
        const [spec] = await Promise.all([described, figures]);
        endWait();
        if (!this.spec) {          // a retry keeps the controls, and what the reader typed in them
          this.spec = spec;
          this.buildControls(spec);
        }
        this.status.replaceChildren();
        this.setState("ready");
        await startFromAddress(this);
      } catch (error) {
        endWait();
        this.activating = null;
        this.showLoadError(error);
      }
    }

    // Says why the widget could not start, with 다시 시도. When the runtime failed to load, the
    // widget also comes back by itself as soon as it loads again: a retry anywhere on the page
    // (another widget's, a code cell's run) revives every widget.
    showLoadError(error) {
      this.setState("error");
      const text = error.kind === "load" ? `${error.message} 인터넷 연결이나 사이트 파일을 확인한 뒤 다시 시도하세요.`
        : error.kind === "stopped" ? `${STOPPED} 다시 시도하면 데모를 다시 불러옵니다.`
        : `데모를 준비하지 못했습니다: ${error.message} 다시 시도하세요.`;
      this.status.replaceChildren(el("p", { class: "cs231n-text cs231n-text--warn", text }),
        el("button", { type: "button", class: "cs231n-button", "data-retry": "", text: "다시 시도",
                       onclick: () => this.retry() }));
      if (error.kind !== "load") return;
      const revive = (rt) => {
        if (rt.state !== "loading") return;
        runtime.listeners.delete(revive);
        if (this.root.dataset.state === "error") this.retry();
      };
      runtime.listeners.add(revive);
    }

    retry() {
      this.activating = null;
      this.activate();
    }

    buildControls(spec) {
      this.root.querySelector(".cs231n-title").textContent = spec.title;
      if (spec.description) {
        this.root.querySelector(".cs231n-head").append(el("p", { class: "cs231n-description", text: spec.description }));
      }
      const primary = controlGroups(), advanced = controlGroups();
      for (const control of spec.controls) {
        const { buttons, fields, wide } = spec.primary.includes(control.name) ? primary : advanced;
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
      this.controlsNode.replaceChildren(primary.fields, primary.wide, primary.buttons);
      buildAdvanced(this, advanced);
      buildShareBar(this);
    }

    rawState() {
      const state = {};
      for (const [name, c] of this.controls) if (c.get) state[name] = c.get();
      return state;
    }

    // Sets the controls to `state` outright: a state the reader asked for as a whole (an address
    // opened, 기본값), not an answer that might be older than their input.
    applyState(state) {
      for (const [name, value] of Object.entries(state)) {
        const c = this.controls.get(name);
        if (c && c.set && !sameRaw(c.get(), value)) c.set(value);
      }
    }

    // Writes into the controls what Python changed in an answer (an event's effect: a point
    // added, a training step's W). `sent` is the state the request carried: whatever the reader
    // changed since then is theirs and stays (mergeRaw), so an answer to an older request never
    // takes back newer input.
    applyAnswer(sent, answered) {
      for (const [name, value] of Object.entries(answered)) {
        const c = this.controls.get(name);
        if (!c || !c.set) continue;
        const current = c.get();
        const merged = mergeRaw(sent[name], value, current);
        if (!sameRaw(merged, current)) c.set(merged);
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
    // A widget whose page was left (instant navigation) stops: its repeating action and queued
    // edits would only keep the one worker from the page now shown.
    async pump() {
      if (this.busy || !this.spec) return;
      if (!this.root.isConnected) {
        this.stopRunning();
        this.events = [];
        this.queued = false;
        return;
      }
      const event = this.events.shift() || null;
      if (!event && !this.queued) return;
      this.queued = false;
      this.busy = true;
      try {
        await this.update(event);
      } finally {
        this.busy = false;
      }
      if (this.running && !this.events.length && this.root.dataset.ok === "true") {
        this.events.push({ type: "action", name: this.running, repeat: true });
        requestAnimationFrame(() => this.pump());
      } else {
        this.pump();
      }
    }

    // After a call failed because the runtime stopped or broke: its reload shows in the status,
    // or why it could not load.
    followReload() {
      if (runtime.state === "ready") return;
      const endWait = this.watchWait();
      runtime.ready().then(() => this.status.replaceChildren(), (error) => this.showLoadError(error))
        .finally(endWait);
    }

    stopRunning() {
      if (!this.running) return;
      const c = this.controls.get(this.running);
      // The run's next step may already be queued (for the next frame): it goes too.
      this.events = this.events.filter((e) => !(e.type === "action" && e.name === this.running && e.repeat));
      this.running = null;
      c.button.textContent = c.spec.label;
      c.button.classList.remove("cs231n-button--active");
    }

    async update(event) {
      const started = performance.now();
      const sent = this.rawState();
      const endWait = this.watchWait();
      let answer;
      try {
        answer = await runtime.call("demos.widget.update", { widget_id: this.id, state: sent, event }, this.ticket());
        this.status.replaceChildren();
      } catch (error) {
        answer = { ok: false, message: error.message, state: null };
        this.status.replaceChildren();
        this.followReload();
      } finally {
        endWait();
      }
      if (answer.state) this.applyAnswer(sent, answer.state);
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
      if (this.updates === 1) holdLinkedDemo();
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
      placeOutputs(this, outputs, nodes);
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
      keyboardCursor(node, (x, y) => this.onPlotClick(plotId, x, y));
    }
  }

  // The keyboard's way to click a plot. The plot takes focus (Tab); arrow keys move a cross-hair over
  // its drawing area (Shift: five times further) and Enter or Space clicks there, sending the same
  // event, in data coordinates, as a mouse click. A live region reads the position out.
  const CURSOR_STEPS = 40;   // one arrow press moves 1/40 of the axis
  const CURSOR_KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  function keyboardCursor(node, click) {
    node.tabIndex = 0;
    node.setAttribute("role", "application");
    node.setAttribute("aria-roledescription", "클릭할 수 있는 그림");
    node.setAttribute("aria-label", "그림: 화살표 키로 십자선을 옮기고 Enter로 그 자리를 클릭합니다 (Shift: 크게 이동)");
    const mark = el("div", { class: "cs231n-plot-cursor", "aria-hidden": "true" });
    const said = el("span", { class: "cs231n-sr-only", "aria-live": "polite" });
    let at = null;   // [x, y] in pixels of the drawing area

    const axes = () => node._fullLayout && node._fullLayout.xaxis && node._fullLayout.yaxis
      ? [node._fullLayout.xaxis, node._fullLayout.yaxis] : null;
    const place = ([xa, ya]) => {
      at = at ?? [xa._length / 2, ya._length / 2];
      at = [Math.min(Math.max(at[0], 0), xa._length), Math.min(Math.max(at[1], 0), ya._length)];
      if (mark.parentNode !== node) node.append(mark, said);   // Plotly may have redrawn the node
      mark.style.left = `${xa._offset + at[0]}px`;
      mark.style.top = `${ya._offset + at[1]}px`;
      return [xa.p2c(at[0]), ya.p2c(at[1])];
    };
    const coords = ([x, y]) => `x = ${formatNumber(x)}, y = ${formatNumber(y)}`;

    node.addEventListener("focus", () => { const a = axes(); if (a) place(a); });
    node.addEventListener("keydown", (event) => {
      const a = axes();
      if (!a || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key in CURSOR_KEYS) {
        const [dx, dy] = CURSOR_KEYS[event.key];
        const step = (event.shiftKey ? 5 : 1) / CURSOR_STEPS;
        place(a);
        at = [at[0] + dx * step * a[0]._length, at[1] + dy * step * a[1]._length];
        said.textContent = coords(place(a));
      } else if (event.key === "Enter" || event.key === " ") {
        const point = place(a);
        said.textContent = `클릭: ${coords(point)}`;
        click(...point);
      } else {
        return;
      }
      event.preventDefault();   // no page scroll
    });
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
  // A link to a demo box (#demo-<id>) lands on it, but the widgets above it grow as they first
  // draw and push it down the page. Until the reader scrolls or acts on that page, each first
  // drawing brings the linked box back to where the link put it.
  let readerMoved = null;   // the address of the page on which the reader last scrolled or acted
  for (const type of ["wheel", "touchstart", "keydown", "mousedown"]) {
    addEventListener(type, () => { readerMoved = location.pathname; }, { passive: true, capture: true });
  }

  function holdLinkedDemo() {
    if (readerMoved === location.pathname || !location.hash.startsWith("#demo-")) return;
    let target = null;
    try { target = document.getElementById(decodeURIComponent(location.hash.slice(1))); } catch { return; }
    if (target && Math.abs(target.getBoundingClientRect().top - linkedTop(target)) > 2) target.scrollIntoView();
  }

  // Where a link puts a box: below Material's header (its scroll-margin-top).
  function linkedTop(target) {
    return parseFloat(getComputedStyle(target).scrollMarginTop) || 0;
  }

  function preloadWhenIdle() {
    if (preloadedBy === runtime.worker || runtime.state !== "ready") return;
    const idle = () => runtime.pending.size === 0 && !document.querySelector('.cs231n-demo[data-state="loading"]');
    if (!idle()) return;                               // the next update asks again
    preloadedBy = runtime.worker;
    const whenIdle = window.requestIdleCallback ?? ((run) => setTimeout(run, 0));
    whenIdle(() => {
      if (!idle() || preloadedBy !== runtime.worker) { preloadedBy = null; return; }
      performance.mark("cs231n:preload");
      runtime.call("demos.widget.preload", {}, { label: "다음 데모 미리 준비" }).catch(() => {});   // only an optimisation
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
    // Panels side by side (mlp-train's comparison): each plot area is its x domain's share.
    const share = layout.xaxis.domain ? span(layout.xaxis.domain) : 1;
    const plotHeight = (width - margin.l - margin.r) * share * (layout.yaxis.scaleratio ?? 1)
                       * span(layout.yaxis.range) / span(layout.xaxis.range);
    layout.margin = margin;
    layout.height = Math.min(layout.height, Math.ceil(plotHeight + margin.t + margin.b));
  }

  function drawPlot(node) {
    const figure = node.cs231nFigure;
    const layout = themed(figure.layout || {});
    // A plot not laid out yet (width 0) keeps its asked height rather than being squashed.
    const fitted = equalAspect(layout) && node.clientWidth > 0;
    if (fitted) {
      node.cs231nFittedWidth = node.clientWidth;
      fitToWidth(layout, node.cs231nFittedWidth);
    }
    // The plot box's CSS minimum height would otherwise win over a fitted height below it, and
    // Plotly's responsive resize would then redraw the figure taller, with an empty band.
    if (node.classList.contains("cs231n-plot--fitted") !== fitted) {
      node.classList.toggle("cs231n-plot--fitted", fitted);
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
      if (node.cs231nFittedWidth && node.clientWidth && node.clientWidth !== node.cs231nFittedWidth) drawPlot(node);
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
    call: (name, kwargs) => runtime.call(name, kwargs, { label: "페이지에서 요청한 계산" }),
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
