// The Pyodide worker: one per tab, started by boot.js (spawnWorker) and driven by host.js. All Python
// runs here, never on the main thread.
//
// Messages in:  {type: "init", config}            config: {indexURL, stdLibURL, lockURL, siteWheels: [names]}
//               {type: "call", id, name, kwargs}    kwargs: a JSON string
//               {type: "cancel", id}                 skip that call if it has not started
// Messages out: {type: "progress", stage, step, total, label}
//               {type: "heartbeat"}                  a file of the runtime arrived (the load goes on)
//               {type: "ready", seconds} | {type: "init-error", message, detail}
//               {type: "result", id, json}           json: demos.bridge.call_json's answer, or
//                                                    {error, fatal: true} when Pyodide itself broke

"use strict";

let pyodide = null;
let callJson = null;
const cancelled = new Set();

// Every response of the load is a sign of progress for the host's stall timer (a file that never
// arrives sends none). The response itself is untouched: the wasm's compiled code stays cacheable.
const fetchFile = self.fetch.bind(self);
self.fetch = (...args) => fetchFile(...args).then((response) => {
  self.postMessage({ type: "heartbeat" });
  return response;
});
let lockPackages = {};   // the site lock's entries, file names made absolute

function progress(step, stage, label) {
  self.postMessage({ type: "progress", stage, step, total: 3, label });
}

// The site's pyodide-lock.json lists the official packages (relative to the runtime's indexURL) and the
// site's own wheels (relative to the lock itself). Make every file name absolute so the same lock works
// whether the runtime is self-hosted or comes from the official CDN.
async function absoluteLock(config) {
  const response = await fetch(config.lockURL, { cache: "no-cache" });
  if (!response.ok) throw new Error(`pyodide-lock.json: HTTP ${response.status}`);
  const lock = await response.json();
  for (const [name, entry] of Object.entries(lock.packages)) {
    const base = config.siteWheels.includes(name) ? config.lockURL : config.indexURL;
    entry.file_name = new URL(entry.file_name, base).href;
  }
  lockPackages = lock.packages;
  const blob = new Blob([JSON.stringify(lock)], { type: "application/json" });
  return URL.createObjectURL(blob);
}

// Pyodide 0.27.7 reports two load failures only in the console: "wasm instantiation failed!"
// (console.warn) when pyodide.asm.wasm cannot be fetched or compiled, after which loadPyodide() never
// settles; and "Error occurred while installing the standard library:" (console.error) when
// python_stdlib.zip cannot be fetched, after which Python exits with a bare "exit(1)". Turn those log
// lines into errors that say which file is at fault.
const LOAD_FAILURES = [
  { level: "warn", says: "wasm instantiation failed", error: "pyodide.asm.wasm 파일을 받거나 컴파일하지 못했습니다" },
  { level: "error", says: "installing the standard library",
    error: "Python 표준 라이브러리(python_stdlib.zip)를 받지 못했습니다" },
];

function loadFailure() {
  return new Promise((_, reject) => {
    for (const level of new Set(LOAD_FAILURES.map((failure) => failure.level))) {
      const log = console[level].bind(console);
      console[level] = (...args) => {
        log(...args);
        const failure = LOAD_FAILURES.find((f) => f.level === level && String(args[0]).includes(f.says));
        if (failure) reject(new Error(failure.error));
      };
    }
  });
}

const hex = (buffer) => [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");

// Pyodide says "The following error occurred while loading demos: Failed to fetch" both when the
// connection failed and when the file's sha256 is not the lock's (the browser's integrity check
// refuses it). Fetch each failed package again to tell the reader which.
async function packageFailure(failures) {
  const named = [...failures.join("\n").matchAll(/while loading (\S+?):/g)].map((match) => match[1]);
  for (const name of named.length ? named : ["demos", "numpy"]) {
    const entry = lockPackages[name];
    if (!entry) continue;
    const file = entry.file_name.split("/").pop();
    let response;
    try {
      response = await fetch(entry.file_name, { cache: "no-cache" });
    } catch (error) {
      return `네트워크 오류로 ${file} 파일을 받지 못했습니다`;
    }
    if (!response.ok) return `${file} 파일을 받지 못했습니다 (HTTP ${response.status})`;
    if (!self.crypto?.subtle) return `${file} 파일을 불러오지 못했습니다 (손상되었을 수 있습니다)`;  // not https
    if (hex(await crypto.subtle.digest("SHA-256", await response.arrayBuffer())) !== entry.sha256) {
      return `사이트의 ${file} 파일이 손상되었습니다 (sha256 checksum이 pyodide-lock.json과 다름)`;
    }
  }
  return "NumPy와 데모 코드(demos) 패키지를 불러오지 못했습니다";
}

async function init(config) {
  const started = performance.now();
  progress(1, "runtime", "Python 런타임(Pyodide) 내려받는 중");
  const lockFile = absoluteLock(config);   // fetched while importScripts below blocks the worker
  importScripts(new URL("pyodide.js", config.indexURL).href);
  pyodide = await Promise.race([
    // stdLibURL: the standard library compiled to bytecode when self-hosted (hooks/runtime.py); when
    // null, Pyodide's own python_stdlib.zip.
    loadPyodide({ indexURL: config.indexURL, stdLibURL: config.stdLibURL, lockFileURL: await lockFile,
                  stdout: () => {}, stderr: () => {} }),
    loadFailure(),
  ]);

  progress(2, "numpy", "NumPy와 데모 코드 내려받는 중");
  const failures = [];
  await pyodide.loadPackage(["demos"], {
    messageCallback: () => {},
    errorCallback: (message) => failures.push(message),
  });
  if (failures.length || !pyodide.loadedPackages.demos || !pyodide.loadedPackages.numpy) {
    console.warn(failures.join("\n"));
    throw new Error(await packageFailure(failures));
  }

  progress(3, "demos", "데모 준비 중");
  // Each widget's module is imported on its first describe (demos/widget_index.json in the wheel).
  pyodide.runPython("import demos.widget, demos.bridge");
  // What exists now (NumPy, the demos) lives as long as the worker: moved out of the collector's
  // generations, it is no longer scanned by every full collection (about 10 ms each, now and then
  // in the middle of an edit).
  pyodide.runPython("import gc; gc.collect(); gc.freeze()");
  callJson = pyodide.pyimport("demos.bridge").call_json;
  return (performance.now() - started) / 1000;
}

// os._exit() ends Python without unwinding it (Pyodide throws an "Exit" error carrying the status),
// os.abort() with a Pyodide fatal error: either way the interpreter is left unsound (sys.stdout
// still redirected, for one). Callers that see this message restart the runtime (cells.js).
const EXITED = "Python이 종료되었습니다";
function exitMessage(error) {
  if (error && error.name === "Exit") return `${EXITED} (os._exit, 종료 코드 ${error.status}).`;
  if (error && error.pyodide_fatal_error) return `${EXITED} (os.abort 같은 치명적 오류).`;
  return null;
}

let initPromise = null;

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type === "init") {
    initPromise = init(message.config);
    try {
      const seconds = await initPromise;
      self.postMessage({ type: "ready", seconds });
    } catch (error) {
      self.postMessage({ type: "init-error", message: String(error && error.message || error),
                         detail: String(error && error.stack || "") });
    }
  } else if (message.type === "cancel") {
    cancelled.add(message.id);
  } else if (message.type === "call") {
    self.postMessage({ type: "result", id: message.id, json: await answer(message) });
  }
};

// The JSON answer to one call. Calls wait for the load (a cancel can arrive meanwhile); after it,
// call_json never raises, so an exception here means Pyodide itself broke (a fatal error): the
// host then starts a new worker.
async function answer(message) {
  try {
    await initPromise;
  } catch (error) {
    return JSON.stringify({ error: "Python 런타임을 불러오지 못했습니다.", detail: String(error) });
  }
  if (cancelled.delete(message.id)) return JSON.stringify({ error: "계산을 중지했습니다." });
  let json;
  try {
    json = callJson(message.name, message.kwargs);
  } catch (error) {
    const exited = exitMessage(error);   // os._exit() or a fatal error: this worker is unsound
    if (exited) return JSON.stringify({ error: exited, fatal: true, detail: String(error) });
    json = String(error);
  }
  if (typeof json === "string" && json.startsWith("{")) return json;
  return JSON.stringify({ error: "Python 런타임에 복구할 수 없는 오류가 나서 런타임을 다시 시작합니다. 다시 시도하세요.",
                          fatal: true, detail: String(json) });
}
