// DOM and formatting helpers shared by the tabs. Text always goes in as text nodes, never as HTML.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "value" || key === "checked" || key === "selected") el[key] = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// A number, a phone or an id inside text of either direction: isolated, left to right.
export const ltr = (text, props) => h("bdi", { dir: "ltr", ...props }, text);

const pad = (n) => String(n).padStart(2, "0");

export function fmtTime(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} `
    + `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export const timeEl = (seconds) =>
  h("time", { datetime: new Date(seconds * 1000).toISOString() }, fmtTime(seconds));

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
export const fmtNumber = (n) => number.format(n);
export const fmtRial = (n) => `${number.format(n)} Rial`;

// datetime-local value (read as UTC, like every time on the page) -> unix seconds, or "".
export function utcInputToSeconds(value) {
  if (!value) return "";
  const ms = Date.parse(`${value}Z`);
  return Number.isNaN(ms) ? "" : String(ms / 1000);
}

export function secondsToUtcInput(seconds) {
  if (seconds === "" || seconds === null || seconds === undefined) return "";
  const ms = Number(seconds) * 1000;
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 19) : "";
}

export const MESSAGE_STATUS = {
  0: "sent to operator",
  1: "operator received",
  2: "delivered",
  3: "not delivered",
  4: "blacklisted",
};

export function statusChip(status) {
  const key = status === null || status === undefined ? "none" : String(status);
  const label = key === "none" ? "not sent" : `${key} · ${MESSAGE_STATUS[status]}`;
  return h("span", { class: `chip status-${key}`, "data-status": key }, label);
}

export function stateChip(stateId, name) {
  return h(
    "span",
    { class: `chip state-${stateId}`, "data-state": stateId },
    `${stateId} · ${name.replaceAll("_", " ")}`,
  );
}

export const STATE_NAMES = [
  "creating", "monitoring", "sending", "rejected", "invalid recipients",
  "queue", "finish", "canceled", "no credit", "system error",
];

// Runs `task` now, or once more right after the run in progress: never two at a time.
export function serialized(task) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await task();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}

// A tab's sub-views (a list, one item), each made on first use and swapped into `holder`:
// `route(arg)` gives the view's name in `factories` and what it shows.
export function subViews(ctx, factories, route) {
  let current = null;
  const views = {};
  const holder = h("div", {});
  const inner = { ...ctx, refresh: () => refresh() };
  const refresh = serialized(async () => { if (current) await current.refresh(); });
  const show = (arg) => {
    const [kind, value] = route(arg || "");
    if (!views[kind]) views[kind] = factories[kind](inner);
    current = views[kind];
    current.show(value);
    holder.replaceChildren(current.element);
    return refresh();
  };
  return { holder, refresh, show };
}

// Previous / next page buttons and "page x of y".
export function pager(page, lastPage, total, noun, go) {
  return h(
    "nav",
    { class: "pager", "aria-label": `${noun} pages` },
    h("span", { class: "count" }, `${fmtNumber(total)} ${noun}`),
    h("button", { type: "button", disabled: page <= 1, onclick: () => go(page - 1) }, "‹ Previous"),
    h("span", {}, `page ${fmtNumber(page)} of ${fmtNumber(lastPage)}`),
    h("button", { type: "button", disabled: page >= lastPage, onclick: () => go(page + 1) }, "Next ›"),
  );
}

export function field(label, input) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input);
}

export function errorBox(error) {
  const lines = [error.message];
  for (const [name, problems] of Object.entries(error.fields || {})) {
    lines.push(`${name}: ${problems.join("; ")}`);
  }
  return h("p", { class: "error", role: "alert" }, lines.join(" — "));
}

// A number when the text is one; otherwise the text itself, for the API to name the problem.
export function numeric(text) {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

// Submits through `action`; API errors (with their field list) show under the form.
export function apiForm(ctx, label, children, action, layout = "inline") {
  const status = h("div", { class: "form-status", role: "status" });
  const form = h("form", { class: layout, "aria-label": label }, children, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.replaceChildren();
    try {
      await action(form);
      await ctx.refresh();
    } catch (error) {
      if (!ctx.handle(error)) status.replaceChildren(errorBox(error));
    }
  });
  return form;
}
