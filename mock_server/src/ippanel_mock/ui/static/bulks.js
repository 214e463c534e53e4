// Bulks: the outbox of every user (GET /__sandbox/bulks) and one bulk's stats and recipients.

import { get, post } from "./api.js";
import {
  errorBox, field, fmtNumber, fmtRial, h, ltr, pager, stateChip, statusChip, timeEl,
  subViews, utcInputToSeconds, secondsToUtcInput, STATE_NAMES,
} from "./dom.js";

const PER_PAGE = 50;
const FILTERS = ["user", "sender", "text", "state_id", "since", "until"];
const FORCEABLE = [3, 4, 7, 8, 9];

function filterForm(onSubmit) {
  const input = (name, props) => h("input", { name, autocomplete: "off", ...props });
  const state = h("select", { name: "state_id" }, h("option", { value: "" }, "any"),
    STATE_NAMES.map((name, id) => h("option", { value: String(id) }, `${id} · ${name}`)));
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Search bulks" },
    field("User", input("user")),
    field("Sender", input("sender")),
    field("Text contains", input("text", { dir: "auto" })),
    field("State now", state),
    field("Created from (UTC)", input("since", { type: "datetime-local", step: "1" })),
    field("Created until (UTC)", input("until", { type: "datetime-local", step: "1" })),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, "Search"),
      h("button", { type: "reset", class: "quiet" }, "Clear")),
  );
  const timeField = (name) => name === "since" || name === "until";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = {};
    for (const name of FILTERS) {
      const raw = form.elements[name].value.trim();
      const value = timeField(name) ? utcInputToSeconds(raw) : raw;
      if (value) params[name] = value;
    }
    onSubmit(params);
  });
  form.addEventListener("reset", () => setTimeout(() => onSubmit({})));
  form.fill = (params) => {
    for (const name of FILTERS) {
      const value = params[name] || "";
      form.elements[name].value = timeField(name) ? secondsToUtcInput(value) : value;
    }
  };
  return form;
}

function bulkRow(bulk) {
  return h(
    "tr",
    { "data-bulk": bulk.id },
    h("th", { scope: "row" }, h("a", { href: `#bulks/${bulk.id}` }, ltr(String(bulk.id)))),
    h("td", {}, stateChip(bulk.state_id, bulk.state)),
    h("td", {}, bulk.user),
    h("td", {}, ltr(bulk.sender)),
    h("td", {}, timeEl(bulk.created_at)),
    h("td", { class: "num" }, fmtNumber(bulk.recipients)),
    h("td", { class: "num" }, fmtNumber(bulk.parts)),
    h("td", { class: "num" }, fmtRial(bulk.cost)),
    h("td", { class: "snippet", dir: "auto" }, bulk.text),
  );
}

function table(caption, head, rows) {
  return h(
    "div",
    { class: "table-wrap" },
    h("table", {},
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, head.map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, rows)),
  );
}

function facts(bulk) {
  const rows = [
    ["State", stateChip(bulk.state_id, bulk.state)],
    ["User", bulk.user],
    ["Sender", ltr(bulk.sender)],
    ["Sending type", bulk.sending_type],
    ["Created (UTC)", timeEl(bulk.created_at)],
    ["Sends at (UTC)", timeEl(bulk.send_at)],
    ["Recipients", fmtNumber(bulk.recipients)],
    ["Parts", `${bulk.parts} (${bulk.encoding === "fa" ? "UCS-2" : "GSM-7"})`],
    ["Cost", `${fmtRial(bulk.cost)} (${fmtRial(bulk.cost_per_message)} a message)`],
  ];
  return h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function forceStateForm(bulk, ctx, onDone) {
  const select = h("select", { name: "state_id" },
    h("option", { value: "" }, "follow the clock"),
    FORCEABLE.map((id) => h("option", { value: String(id) }, `${id} · ${STATE_NAMES[id]}`)));
  const status = h("p", { class: "form-status", role: "status" });
  const form = h("form", { class: "inline", "aria-label": "Force a state" },
    field("Force state", select), h("button", { type: "submit" }, "Apply"), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const stateId = select.value === "" ? null : Number(select.value);
    try {
      await post(`/__sandbox/bulks/${bulk.id}/state`, { state_id: stateId });
      status.replaceChildren();
      onDone();
    } catch (error) {
      if (!ctx.handle(error)) status.replaceChildren(errorBox(error));
    }
  });
  return form;
}

function listView(ctx) {
  let params = {};
  let page = 1;
  const form = filterForm((chosen) => ctx.navigate(`#bulks?${new URLSearchParams(chosen)}`));
  const results = h("div", { class: "results" });
  const element = h("div", {}, form, results);
  const refresh = async () => {
    let data;
    try {
      data = await get("/__sandbox/bulks", { ...params, page, per_page: PER_PAGE });
    } catch (error) {
      if (!ctx.handle(error)) results.replaceChildren(errorBox(error));
      return;
    }
    const go = (to) => { page = to; ctx.refresh(); };
    results.replaceChildren(
      pager(page, data.last_page, data.total, data.total === 1 ? "bulk" : "bulks", go),
      data.items.length
        ? table("Bulks of every user, newest first (times UTC)",
          ["Bulk", "State", "User", "Sender", "Created", "Recipients", "Parts", "Cost", "Text"],
          data.items.map(bulkRow))
        : h("p", { class: "empty" }, "No bulk matches."),
    );
  };
  const show = (query) => {
    params = Object.fromEntries(new URLSearchParams(query || ""));
    page = 1;
    form.fill(params);
  };
  return { element, refresh, show };
}

function detailView(ctx) {
  let id = null;
  let page = 1;
  const element = h("div", { class: "bulk-detail" });
  const refresh = async () => {
    let bulk;
    let recipients;
    try {
      bulk = await get(`/__sandbox/bulks/${id}`);
      recipients = await get(`/__sandbox/bulks/${id}/recipients`, { page, per_page: PER_PAGE });
    } catch (error) {
      if (!ctx.handle(error)) element.replaceChildren(errorBox(error));
      return;
    }
    const go = (to) => { page = to; ctx.refresh(); };
    element.replaceChildren(
      h("h3", {}, "Bulk ", ltr(String(bulk.id))),
      h("p", {}, h("a", { href: "#bulks" }, "All bulks"), " · ",
        h("a", { href: `#inbox?${new URLSearchParams({ bulk_id: bulk.id })}` }, "Its messages in the inbox")),
      facts(bulk),
      h("p", { class: "text", dir: "auto" }, bulk.text),
      forceStateForm(bulk, ctx, () => ctx.refresh()),
      h("div", { class: "stats" },
        table("Recipients by message_status", ["Status", "Recipients"],
          bulk.by_status.map((row) => h("tr", {},
            h("td", {}, statusChip(row.message_status)), h("td", { class: "num" }, fmtNumber(row.count))))),
        table("By operator", ["Operator", "Status", "Recipients"],
          bulk.by_operator.map((row) => h("tr", {},
            h("td", {}, row.operator), h("td", {}, statusChip(row.message_status)),
            h("td", { class: "num" }, fmtNumber(row.count)))))),
      h("h4", {}, "Recipients"),
      pager(page, recipients.last_page, recipients.total, "recipients", go),
      table("Recipients and their status now", ["Recipient", "Status"],
        recipients.items.map((row) => h("tr", {},
          h("td", {}, ltr(row.recipient)), h("td", {}, statusChip(row.message_status))))),
    );
  };
  const show = (bulkId) => {
    if (bulkId !== id) page = 1;
    id = bulkId;
  };
  return { element, refresh, show };
}

export default {
  id: "bulks",
  label: "Bulks",
  topics: ["bulks"],
  create(ctx) {
    const tab = subViews(ctx, { list: listView, detail: detailView }, (arg) => {
      const [path, query] = arg.split("?");
      return /^\d+$/.test(path) ? ["detail", path] : ["list", query];
    });
    const element = h("section", { "aria-labelledby": "bulks-title" },
      h("h2", { id: "bulks-title" }, "Bulks"), tab.holder);
    return { element, refresh: tab.refresh, show: tab.show };
  },
};
