// The page: tabs routed by the URL hash, the admin token prompt, the clock, the event stream.
// Each tab is a module with {id, label, topics, create(ctx) -> {element, show(arg), refresh()}}:
// a new tab is one more entry below.

import { AuthRequired, get, getToken, listen, setToken } from "./api.js";
import { fmtTime, h } from "./dom.js";
import bulks from "./bulks.js";
import controls from "./controls.js";
import inbox from "./inbox.js";
import journal from "./journal.js";
import received from "./received.js";
import threads from "./threads.js";

const TABS = [inbox, threads, received, bulks, journal, controls];

const $ = (id) => document.getElementById(id);
const view = $("view");
const tabs = $("tabs");
const live = $("live");
const clockLine = $("clock");
const tokenForm = $("token-form");
const tokenInput = $("token");
const tokenError = $("token-error");

const instances = new Map();
let active = null;
let stopListening = null;
let clockBase = null; // {now, at}: sandbox time and performance.now() when it was read
let clockTicker = null;

const ctx = {
  navigate(hash) {
    if (window.location.hash === hash) route();
    else window.location.hash = hash;
  },
  // True when the error was the admin token: the page locks and shows nothing more.
  handle(error) {
    if (error instanceof AuthRequired) {
      lock(getToken() ? "That token was refused." : "");
      return true;
    }
    return false;
  },
};

function parseHash() {
  const raw = window.location.hash.replace(/^#/, "");
  const match = /^([a-z]+)\/?(.*)$/.exec(raw);
  const tab = TABS.find((t) => match && t.id === match[1]) || TABS[0];
  return { tab, arg: match && match[1] === tab.id ? match[2] : "" };
}

function route() {
  if (stopListening === null) return;
  const { tab, arg } = parseHash();
  if (!instances.has(tab.id)) instances.set(tab.id, tab.create(ctx));
  const instance = instances.get(tab.id);
  active = { tab, instance };
  for (const link of tabs.querySelectorAll("a")) {
    if (link.dataset.tab === tab.id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  view.replaceChildren(instance.element);
  document.title = `${tab.label} · IPPanel sandbox`;
  instance.show(arg);
}

function showClock(clock) {
  clockBase = { now: clock.now, at: performance.now() };
  renderClock();
}

function renderClock() {
  if (!clockBase) return;
  const now = clockBase.now + (performance.now() - clockBase.at) / 1000;
  clockLine.textContent = `Sandbox clock ${fmtTime(now)} UTC`;
}

function onEvent(name, data) {
  if (data.clock) showClock(data.clock);
  if (!active) return;
  const changed = name === "hello" ? active.tab.topics : data.topics || [];
  if (changed.some((topic) => active.tab.topics.includes(topic))) active.instance.refresh();
}

function onState(state) {
  if (state === "locked") {
    lock("That token was refused.");
    return;
  }
  live.textContent = state === "live" ? "● live" : "○ reconnecting…";
  live.className = `live is-${state}`;
}

function lock(message) {
  if (stopListening) stopListening();
  stopListening = null;
  clearInterval(clockTicker);
  instances.clear();
  active = null;
  view.replaceChildren();
  tabs.hidden = true;
  clockLine.textContent = "";
  live.textContent = "locked";
  live.className = "live is-locked";
  tokenForm.hidden = false;
  tokenError.textContent = message || "";
  tokenInput.value = "";
  tokenInput.focus();
}

async function unlock() {
  let clock;
  try {
    clock = await get("/__sandbox/clock");
  } catch (error) {
    if (ctx.handle(error)) return;
    live.textContent = `sandbox unreachable: ${error.message}`;
    return;
  }
  tokenForm.hidden = true;
  tabs.hidden = false;
  showClock(clock);
  clockTicker = setInterval(renderClock, 1000);
  stopListening = listen(onEvent, onState);
  route();
}

tabs.replaceChildren(
  ...TABS.map((tab) => h("li", {}, h("a", { href: `#${tab.id}`, "data-tab": tab.id }, tab.label))),
);
tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  setToken(tokenInput.value.trim());
  unlock();
});
window.addEventListener("hashchange", route);
unlock();
