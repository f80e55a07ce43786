// Runnable Python cells: a ```run-python fence (sitekit/cells.py) becomes a CodeMirror editor with
// 실행 / 중지 / 되돌리기 and the output of demos.cells.run below it (stdout, warnings, the last
// expression's value, a short Korean error, Plotly figures from show(fig)).
//
// Loaded by host.js's mountAll() only on pages that have cells; exposes window.cs231n.mountCells().
//
// * Python starts only when the reader presses 실행 (or Shift+Enter), never on scroll: a cell is
//   code to read first, and many readers never run it; loading Pyodide + NumPy costs megabytes on a
//   phone. (A widget on the same page may already have started it; then a cell just reuses it.)
// * The cells of a page share one namespace, as in a notebook (keyed by the page path, since the
//   worker outlives Material's instant navigation).
// * 중지 terminates the worker when this cell's code is running (the only way to interrupt Python in
//   a worker without SharedArrayBuffer); the page's variables are gone, and other cells' outputs say
//   so. A run still waiting behind another computation is only dropped.
// * A run outlives its page: after instant navigation away and back, the page's new cell picks up
//   the run still going (its status and 중지), and the next page's widgets say they wait for it.
// * The reader's edits stay in localStorage (key: page path, cell index, hash of the original code)
//   until 되돌리기; an author's change to the original makes the key, and so the stale edit, go away.

(() => {
  "use strict";
  const api = window.cs231n;
  const runtime = api.runtime;
  const STORAGE_PREFIX = "cs231n-cell:v1:";
  const SAVE_DELAY_MS = 250;
  const STOPPED = "계산을 중지했습니다.";
  const EXITED = "Python이 종료되었습니다";   // worker.js: os._exit() ended Python, unsoundly
  const RESTARTED = "Python 런타임을 다시 시작했으므로 이 페이지의 셀에서 만든 변수는 모두 사라졌습니다. "
                    + "필요한 셀을 위에서부터 다시 실행하세요.";
  const cells = new Set();
  const runs = new Map();   // cell key -> {promise, ticket, started} of a run not finished yet

  const el = api.el;  // the host's DOM helper
  // Resolves once the browser has painted what is on the page now (at once in a hidden tab, which
  // paints nothing until it is shown).
  const nextPaint = () => new Promise((resolve) => {
    if (document.hidden) resolve(); else requestAnimationFrame(() => setTimeout(resolve, 0));
  });

  // localStorage can be missing or throw (private windows, blocked storage): edits then live only
  // as long as the page.
  const store = {
    get(key) { try { return window.localStorage.getItem(key); } catch { return null; } },
    set(key, value) { try { window.localStorage.setItem(key, value); } catch { /* not kept */ } },
    remove(key) { try { window.localStorage.removeItem(key); } catch { /* nothing kept */ } },
  };

  let editorLoading = null;
  function loadCodeMirror(base) {
    const url = (path) => api.assetURL(base + path);
    editorLoading ??= Promise.all([api.loadOnce(url("lib/codemirror.css"), "css"), api.loadOnce(url("lib/codemirror.js"))])
      .then(() => Promise.all([api.loadOnce(url("mode/python/python.js")), api.loadOnce(url("addon/edit/matchbrackets.js"))]))
      .then(() => window.CodeMirror)
      .catch((error) => { editorLoading = null; throw error; });
    return editorLoading;
  }

  // ------------------------------------------------------------------------------------------
  // Editors: CodeMirror, or a plain text area when CodeMirror cannot load. Same small interface.
  // ------------------------------------------------------------------------------------------

  // Tab indents, as in any code editor, so by itself it cannot move the focus on: Esc and then Tab
  // (or Shift+Tab) leaves the editor, the escape hatch CodeMirror documents (built into version 6).
  const KEYS_HINT = "키보드: Tab 들여쓰기 · Esc 다음 Tab(또는 Shift+Tab) 편집기에서 나가기 · Shift+Enter 실행";
  let hints = 0;

  // Esc, then Tab: CodeMirror ignores that Tab, and the browser moves the focus as usual.
  function leaveOnEscapeTab(cm) {
    let escaped = false;
    cm.on("keydown", (editor, event) => {
      if (event.key === "Tab" && escaped) event.codemirrorIgnore = true;
      escaped = event.key === "Escape" || (escaped && event.key === "Shift");
    });
    cm.on("blur", () => { escaped = false; });
  }

  // The keys, shown under the editor and said to screen readers with it.
  function keysHint(cm) {
    const hint = el("p", { class: "cs231n-cell-keys", id: `cs231n-cell-keys-${++hints}`, text: KEYS_HINT });
    cm.getInputField().setAttribute("aria-describedby", hint.id);
    return hint;
  }

  function codeMirrorEditor(CodeMirror, parent, value, onChange, onRun) {
    const cm = CodeMirror(parent, {
      value, mode: "python", theme: "cs231n", lineNumbers: true, indentUnit: 4, tabSize: 4,
      matchBrackets: true, viewportMargin: Infinity, screenReaderLabel: "Python 코드 편집기",
      extraKeys: {
        "Shift-Enter": onRun, "Ctrl-Enter": onRun, "Cmd-Enter": onRun,
        Tab: (editor) => editor.somethingSelected() ? editor.indentSelection("add") : editor.execCommand("insertSoftTab"),
        "Shift-Tab": "indentLess",
      },
    });
    cm.on("change", onChange);
    leaveOnEscapeTab(cm);
    parent.append(keysHint(cm));
    let marked = null;
    return {
      node: cm.getWrapperElement(),
      get: () => cm.getValue(),
      set: (text) => cm.setValue(text),   // kept in CodeMirror's undo history (Ctrl+Z)
      markLine(line) {
        this.clearMark();
        if (line >= 1 && line <= cm.lineCount()) marked = cm.addLineClass(line - 1, "background", "cs231n-cell-errline");
      },
      clearMark() { if (marked) cm.removeLineClass(marked, "background", "cs231n-cell-errline"); marked = null; },
      refresh: () => cm.refresh(),
    };
  }

  function textAreaEditor(parent, value, onChange, onRun) {
    const area = el("textarea", { class: "cs231n-cell-textarea", spellcheck: "false", autocapitalize: "off",
                                  autocomplete: "off", "aria-label": "Python 코드 편집기",
                                  rows: String(Math.max(3, value.split("\n").length + 1)) });
    area.value = value;
    area.addEventListener("input", onChange);
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.shiftKey || event.ctrlKey || event.metaKey)) { event.preventDefault(); onRun(); }
    });
    parent.append(area);
    return { node: area, get: () => area.value, set: (text) => { area.value = text; onChange(); },
             markLine() {}, clearMark() {}, refresh() {} };
  }

  // ------------------------------------------------------------------------------------------
  // A cell.
  // ------------------------------------------------------------------------------------------

  class Cell {
    constructor(root, index) {
      this.root = root;
      root.cs231nCell = this;
      const code = root.querySelector(".cs231n-cell-static code");
      this.original = code ? code.textContent.replace(/\n$/, "") : "";
      this.key = `${STORAGE_PREFIX}${location.pathname}:${index}:${root.dataset.cellHash || ""}`;
      this.namespace = location.pathname;
      this.token = 0;          // bumps on every run and stop; a late answer with an old token is dropped
      this.busy = false;
      this.runs = 0;
      this.saveTimer = null;
      const saved = store.get(this.key);
      this.restored = saved !== null && saved !== this.original;
      this.build();
      this.mountEditor(this.restored ? saved : this.original);
      if (runs.has(this.key)) this.follow(runs.get(this.key));   // started before the reader left the page
    }

    build() {
      const button = (action, text, title) => el("button", { type: "button", class: "cs231n-button", title,
        "data-cell-action": action, text, onclick: () => this[action]() });
      this.runButton = button("run", "▶ 실행", "실행 (Shift+Enter)");
      this.stopButton = button("stop", "■ 중지", "실행 중인 계산을 멈춥니다 (Python 런타임을 다시 시작)");
      this.revertButton = button("revert", "↺ 되돌리기", "원래 코드로 되돌립니다");
      this.stopButton.disabled = true;
      this.status = el("span", { class: "cs231n-cell-status", role: "status" });
      this.note = el("p", { class: "cs231n-cell-note", hidden: true });
      this.output = el("div", { class: "cs231n-cell-output", "aria-live": "polite" });
      this.editorSlot = this.root.querySelector(".cs231n-cell-static");
      this.root.append(
        el("div", { class: "cs231n-cell-bar" }, this.runButton, this.stopButton, this.revertButton, this.status),
        this.note, this.output);
      this.setState("idle");
      this.showIdle();
    }

    async mountEditor(text) {
      const onChange = () => this.changed();
      const onRun = () => this.run();
      let editor;
      try {
        const CodeMirror = await loadCodeMirror(this.root.dataset.editor || "assets/vendor/codemirror/");
        const slot = el("div", { class: "cs231n-cell-editor" });
        editor = codeMirrorEditor(CodeMirror, slot, text, onChange, onRun);
        this.editorSlot.replaceWith(slot);
        this.editorSlot = slot;
      } catch (error) {
        console.warn(error);
        const slot = el("div", { class: "cs231n-cell-editor cs231n-cell-editor--plain" });
        editor = textAreaEditor(slot, text, onChange, onRun);
        this.editorSlot.replaceWith(slot);
        this.editorSlot = slot;
      }
      this.editor = editor;
      editor.refresh();
      this.updateEdited();
      if (this.restored) this.showNote("저장해 둔 수정본을 불러왔습니다. ‘되돌리기’를 누르면 원래 코드로 돌아갑니다.");
      this.root.dataset.editor = "ready";
    }

    code() { return this.editor ? this.editor.get() : this.original; }

    setState(state) { this.root.dataset.cellState = state; }

    showIdle() {
      const text = runtime.state === "ready" ? "Shift+Enter로도 실행할 수 있습니다."
        : "실행하면 Python(Pyodide)과 NumPy를 이 브라우저에서 불러옵니다 (처음 한 번, 몇 초).";
      this.status.textContent = text;
    }

    showNote(text) { this.note.textContent = text; this.note.hidden = !text; }

    changed() {
      if (this.editor) this.editor.clearMark();
      this.updateEdited();
      clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
    }

    save() {
      const text = this.code();
      if (text === this.original) store.remove(this.key); else store.set(this.key, text);
    }

    updateEdited() {
      const edited = this.code() !== this.original;
      this.revertButton.disabled = !edited;
      this.root.dataset.edited = String(edited);
    }

    revert() {
      if (!this.editor) return;
      clearTimeout(this.saveTimer);
      this.editor.set(this.original);
      store.remove(this.key);
      this.updateEdited();
      this.showNote("원래 코드로 되돌렸습니다. (Ctrl+Z로 수정본을 다시 가져올 수 있습니다.)");
    }

    // ----------------------------------------------------------------------------------------
    // Running and stopping.
    // ----------------------------------------------------------------------------------------

    run() {
      if (this.busy) return;
      if (runtime.stalled) runtime.retryLoad();   // 실행 again is this cell's 다시 시도
      const ticket = { label: "코드 셀", owner: this.key };
      const promise = runtime.call("demos.cells.run", { code: this.code(), namespace: this.namespace }, ticket);
      const job = { promise, ticket, started: performance.now() };
      runs.set(this.key, job);
      const done = () => { if (runs.get(this.key) === job) runs.delete(this.key); };
      promise.then(done, done);
      this.follow(job);
    }

    // What the reader sees of a run, from start (or from coming back to the page) to its end.
    async follow(job) {
      const token = ++this.token;
      this.busy = true;
      this.runButton.disabled = true;
      this.stopButton.disabled = false;
      if (this.editor) this.editor.clearMark();
      this.output.classList.remove("cs231n-cell-output--stale");
      const tick = () => {
        const running = runtime.runningCall();
        if (runtime.state !== "ready") {   // idle only until the call starts the runtime
          const p = runtime.progress || { step: 0, total: 3, label: "Python 런타임 준비 중" };
          this.setState("loading");
          this.status.textContent = runtime.stalled ? `${runtime.stallMessage()} (■ 중지 후 ▶ 실행)`
            : `${p.label}… (${p.step}/${p.total}단계)`;
        } else if (running && running.id !== job.ticket.id) {
          this.setState("waiting");
          this.status.textContent = `앞선 계산(${running.label})이 끝나기를 기다리는 중…`;
        } else {
          this.setState("running");
          this.status.textContent = `실행 중… ${((performance.now() - job.started) / 1000).toFixed(1)}초`;
        }
      };
      tick();
      const timer = setInterval(tick, 200);
      let result = null;
      let failure = null;
      try {
        result = await job.promise;
        if (token === this.token && result.figures.length) await api.plotly();
      } catch (error) {
        failure = error;
      } finally {
        clearInterval(timer);
      }
      if (token !== this.token) return;   // stopped meanwhile: stop() already reported it
      this.busy = false;
      this.runButton.disabled = false;
      this.stopButton.disabled = true;
      if (failure) {
        this.showFailure(failure.message);
        return;
      }
      // The time the reader waited: until the figures are drawn and on screen, not only computed.
      const computed = performance.now();
      await this.showResult(result);
      await nextPaint();
      const shown = performance.now();
      const seconds = (ms) => `${(ms / 1000).toFixed(2)}초`;
      const drawing = result.figures.length ? ` (그림 그리기 ${seconds(shown - computed)} 포함)` : "";
      if (result.error && this.editor) this.editor.markLine(result.error_line);
      this.finish(result.error ? "error" : "done",
                  `${result.error ? "오류" : "✓ 실행 완료"} · [${result.count}] · ${seconds(shown - job.started)}${drawing}`);
    }

    // A run that ended without a result: stopped from another cell, Python exited, or the runtime
    // could not load (the next run loads it again).
    showFailure(message) {
      const stopped = message === STOPPED;
      const exited = message.startsWith(EXITED);
      // The host has already replaced the worker that Python's exit left unsound (a fatal answer).
      if (exited) this.staleOthers();
      this.output.replaceChildren(el("p", { class: "cs231n-cell-error", role: "alert",
        text: stopped ? "다른 곳에서 누른 중지로 이 셀의 실행도 멈췄습니다 (Python 런타임을 다시 시작). 다시 실행하세요."
          : exited ? `${message} ${RESTARTED}` : `${message} 다시 실행하면 런타임을 다시 불러옵니다.` }));
      this.finish(stopped ? "stopped" : "error", stopped ? "중지됨" : exited ? "런타임 다시 시작" : "런타임 오류");
    }

    // Interrupts this cell's run if its code is running (a new runtime: every variable is gone), or
    // drops it if it still waits behind another computation (which goes on; nothing is lost).
    stop() {
      if (!this.busy) return;
      this.token += 1;
      this.busy = false;
      this.runButton.disabled = false;
      this.stopButton.disabled = true;
      const job = runs.get(this.key);
      runs.delete(this.key);
      const how = job ? runtime.stop(job.ticket) : "dropped";
      if (how === "restarted") {
        this.staleOthers();
        this.output.replaceChildren(el("p", { class: "cs231n-cell-error cs231n-cell-stopped", role: "alert",
          text: `실행을 중지했습니다. ${RESTARTED}` }));
      } else {
        this.output.replaceChildren(el("p", { class: "cs231n-cell-error cs231n-cell-stopped", role: "alert",
          text: "실행을 취소했습니다. 이 셀의 코드는 아직 시작하지 않았으므로 변수는 그대로입니다." }));
      }
      this.finish("stopped", "중지됨");
    }

    // After a restart of the runtime, the other cells' outputs show variables that are gone.
    staleOthers() {
      for (const other of cells) if (other !== this) other.runtimeRestarted();
    }

    runtimeRestarted() {
      if (this.runs && !this.busy) this.output.classList.add("cs231n-cell-output--stale");
    }

    finish(state, statusText) {
      this.setState(state);
      this.status.textContent = statusText;
      this.runs += 1;
      this.root.dataset.runs = String(this.runs);
      this.root.dispatchEvent(new CustomEvent("cs231n:cell-ran", { detail: { state } }));
    }

    async showResult(result) {
      for (const node of this.output.querySelectorAll(".cs231n-plot")) window.Plotly.purge(node);
      const pre = (cls, text) => el("pre", { class: cls }, el("code", { text }));
      const parts = [];
      if (result.stdout) parts.push(pre("cs231n-cell-stdout", result.stdout));
      if (result.stderr) parts.push(pre("cs231n-cell-stderr", result.stderr));
      const plots = result.figures.map((figure, i) => {
        const node = el("div", { class: "cs231n-plot cs231n-cell-figure", "data-plot": `figure-${i + 1}` });
        node.cs231nFigure = figure;   // host.js redraws it when light/dark mode flips
        return node;
      });
      parts.push(...plots);
      if (result.value !== null) {
        parts.push(el("div", { class: "cs231n-cell-value" },
          el("span", { class: "cs231n-cell-prompt", text: `Out[${result.count}]` }),
          pre("cs231n-cell-value-text", result.value)));
      }
      if (result.error) parts.push(el("pre", { class: "cs231n-cell-error", role: "alert" }, el("code", { text: result.error })));
      if (!parts.length) parts.push(el("p", { class: "cs231n-cell-empty", text: "(출력 없음)" }));
      this.output.replaceChildren(...parts);
      await Promise.all(plots.map((node) => window.Plotly.react(node, node.cs231nFigure.data,
        api.themed(node.cs231nFigure.layout || {}), { displayModeBar: false, responsive: true })));
    }
  }

  function mountCells() {
    for (const cell of cells) if (!cell.root.isConnected) cells.delete(cell);
    const roots = [...document.querySelectorAll(".cs231n-cell")];
    roots.forEach((root, index) => { if (!root.cs231nCell) cells.add(new Cell(root, index)); });
    document.dispatchEvent(new CustomEvent("cs231n:cells-mounted"));
  }

  window.cs231n = { ...window.cs231n, mountCells };
})();
