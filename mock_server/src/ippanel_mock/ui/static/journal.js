// Request journal: every public request the sandbox answered (GET /__sandbox/requests).

import { del, get } from "./api.js";
import { errorBox, field, fmtNumber, h, ltr, pager, serialized, timeEl } from "./dom.js";

const PER_PAGE = 50;
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"];

function statusClass(status) {
  if (status >= 500) return "http http-5xx";
  if (status >= 400) return "http http-4xx";
  return "http http-2xx";
}

function row(entry) {
  return h(
    "tr",
    {},
    h("td", { class: "num" }, fmtNumber(entry.id)),
    h("td", {}, timeEl(entry.at)),
    h("td", {}, entry.method),
    h("td", {}, ltr(entry.query ? `${entry.path}?${entry.query}` : entry.path, { class: "path" })),
    h("td", {}, h("span", { class: statusClass(entry.status) }, String(entry.status))),
    h("td", {}, entry.api_key_hint || "—"),
    h("td", { class: "num" }, entry.duration_ms.toFixed(1)),
  );
}

export default {
  id: "journal",
  label: "Journal",
  topics: ["journal"],
  create(ctx) {
    let page = 1;
    let params = {};
    const method = h("select", { name: "method" }, h("option", { value: "" }, "any"),
      METHODS.map((m) => h("option", { value: m }, m)));
    const path = h("input", { name: "path", placeholder: "/api/report/*", autocomplete: "off" });
    const status = h("input", { name: "status", inputmode: "numeric", placeholder: "422", autocomplete: "off" });
    const form = h("form", { class: "filters", role: "search", "aria-label": "Search the journal" },
      field("Method", method), field("Path or glob", path), field("HTTP status", status),
      h("div", { class: "actions" },
        h("button", { type: "submit" }, "Search"),
        h("button", { type: "button", class: "danger", onclick: () => clear() }, "Clear journal")));
    const results = h("div", { class: "results" });
    const element = h("section", { "aria-labelledby": "journal-title" },
      h("h2", { id: "journal-title" }, "Request journal"), form, results);

    const refresh = serialized(async () => {
      let data;
      try {
        data = await get("/__sandbox/requests", { ...params, page, per_page: PER_PAGE });
      } catch (error) {
        if (!ctx.handle(error)) results.replaceChildren(errorBox(error));
        return;
      }
      const go = (to) => { page = to; refresh(); };
      results.replaceChildren(
        pager(page, data.last_page, data.total, data.total === 1 ? "request" : "requests", go),
        data.items.length
          ? h("div", { class: "table-wrap" }, h("table", {},
            h("caption", {}, "Requests, newest first (times UTC; keys masked)"),
            h("thead", {}, h("tr", {}, ["#", "At", "Method", "Path", "Status", "Key", "ms"]
              .map((name) => h("th", { scope: "col" }, name)))),
            h("tbody", {}, data.items.map(row))))
          : h("p", { class: "empty" }, "No request matches."),
      );
    });

    async function clear() {
      try {
        await del("/__sandbox/requests");
      } catch (error) {
        if (!ctx.handle(error)) results.replaceChildren(errorBox(error));
      }
      refresh();
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      params = {};
      for (const input of [method, path, status]) {
        if (input.value.trim()) params[input.name] = input.value.trim();
      }
      page = 1;
      refresh();
    });

    return { element, refresh, show: () => refresh() };
  },
};
