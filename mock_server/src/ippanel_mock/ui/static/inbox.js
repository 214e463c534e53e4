// Inbox: every captured SMS, newest first, as GET /__sandbox/messages filters and pages them.

import { get } from "./api.js";
import { messageText } from "./otp.js";
import { threadHref } from "./threads.js";
import {
  errorBox, field, fmtRial, h, ltr, pager, secondsToUtcInput, serialized, statusChip, timeEl,
  utcInputToSeconds, MESSAGE_STATUS,
} from "./dom.js";

const PER_PAGE = 50;
const FILTERS = ["recipient", "sender", "text", "bulk_id", "status", "since", "until", "user", "sending_type"];
const SENDING_TYPES = [
  "webservice", "normal", "peer_to_peer", "peer_to_peer_file", "postal_code", "pattern", "votp", "otp",
];
const replyHref = (m) => `#received?${new URLSearchParams({ from: m.recipient, to: m.sender })}`;

function card(message, bulk, fresh) {
  const parts = bulk ? `${bulk.parts} part${bulk.parts === 1 ? "" : "s"}` : null;
  return h(
    "li",
    { class: fresh ? "msg fresh" : "msg", "data-id": message.id },
    h(
      "div",
      { class: "msg-head" },
      h("a", { class: "recipient", href: threadHref(message.recipient), title: "This number's thread with the sandbox" },
        ltr(message.recipient)),
      statusChip(message.message_status),
    ),
    messageText(message),
    h(
      "p",
      { class: "msg-meta" },
      "from ", ltr(message.sender, { class: "sender" }), " · ", timeEl(message.created_at), " · ",
      message.sending_type,
      message.bulk_id === null ? null
        : [" · bulk ", h("a", { href: `#bulks/${message.bulk_id}` }, ltr(String(message.bulk_id)))],
      parts ? [" · ", h("span", { class: "parts" }, parts), " · ",
        h("span", { class: "cost" }, fmtRial(bulk.cost_per_message))] : null,
      " · user ", message.user, " · ",
      h("a", { href: replyHref(message), "aria-label": `Reply as ${message.recipient}` }, "Reply"),
    ),
  );
}

function filterForm(onSubmit) {
  const input = (name, props) => h("input", { name, autocomplete: "off", ...props });
  const status = h("select", { name: "status" }, h("option", { value: "" }, "any"),
    Object.entries(MESSAGE_STATUS).map(([k, v]) => h("option", { value: k }, `${k} · ${v}`)));
  const type = h("select", { name: "sending_type" }, h("option", { value: "" }, "any"),
    SENDING_TYPES.map((t) => h("option", { value: t }, t)));
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Search messages" },
    field("Recipient", input("recipient", { inputmode: "tel", placeholder: "0912…, +98912…" })),
    field("Sender", input("sender", { placeholder: "+983000505" })),
    field("Text contains", input("text", { dir: "auto" })),
    field("Bulk id", input("bulk_id", { inputmode: "numeric" })),
    field("Status now", status),
    field("Sent from (UTC)", input("since", { type: "datetime-local", step: "1" })),
    field("Sent until (UTC)", input("until", { type: "datetime-local", step: "1" })),
    field("User", input("user")),
    field("Sending type", type),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, "Search"),
      h("button", { type: "reset", class: "quiet" }, "Clear")),
  );
  const read = () => {
    const params = {};
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      const converted = name === "since" || name === "until" ? utcInputToSeconds(value) : value;
      if (converted) params[name] = converted;
    }
    return params;
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); onSubmit(read()); });
  form.addEventListener("reset", () => setTimeout(() => onSubmit({})));
  form.fill = (params) => {
    for (const name of FILTERS) {
      const value = params[name] || "";
      form.elements[name].value = name === "since" || name === "until" ? secondsToUtcInput(value) : value;
    }
  };
  return form;
}

export default {
  id: "inbox",
  label: "Inbox",
  topics: ["messages"],
  create(ctx) {
    let params = {};
    let page = 1;
    let newestSeen = null;
    const title = h("h2", { id: "inbox-title" }, "Inbox");
    const form = filterForm((chosen) => ctx.navigate(`#inbox?${new URLSearchParams(chosen)}`));
    const results = h("div", { class: "results", "aria-labelledby": "inbox-title" });
    const element = h("section", { "aria-labelledby": "inbox-title" }, title, form, results);

    const refresh = serialized(async () => {
      let data;
      const bulks = new Map();
      try {
        data = await get("/__sandbox/messages", { ...params, page, per_page: PER_PAGE });
        const ids = [...new Set(data.items.map((m) => m.bulk_id).filter((id) => id !== null))];
        if (ids.length) {
          const found = await get("/__sandbox/bulks", { ids: ids.join(","), per_page: ids.length });
          for (const bulk of found.items) bulks.set(bulk.id, bulk);
        }
      } catch (error) {
        if (!ctx.handle(error)) results.replaceChildren(errorBox(error));
        return;
      }
      const top = data.items.length ? data.items[0].id : 0;
      const items = data.items.map((m) => card(m, bulks.get(m.bulk_id), newestSeen !== null && m.id > newestSeen));
      if (page === 1) newestSeen = Math.max(newestSeen || 0, top);
      const go = (to) => { page = to; refresh(); };
      results.replaceChildren(
        pager(page, data.last_page, data.total, data.total === 1 ? "message" : "messages", go),
        items.length
          ? h("ol", { class: "messages", "aria-label": "Messages, newest first" }, items)
          : h("p", { class: "empty" }, "No captured message matches."),
      );
    });

    return {
      element,
      refresh,
      show(query) {
        params = Object.fromEntries(new URLSearchParams(query || ""));
        page = 1;
        newestSeen = null;
        form.fill(params);
        const oneNumber = params.recipient && Object.keys(params).length === 1;
        title.replaceChildren(...(oneNumber ? ["Messages to ", ltr(params.recipient)] : ["Inbox"]));
        return refresh();
      },
    };
  },
};
