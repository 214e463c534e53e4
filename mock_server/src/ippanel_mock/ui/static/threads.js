// Threads: one row per phone number, newest activity first (GET /__sandbox/threads), and one
// number's conversation (conversation.js) at #threads/<number>.

import { get } from "./api.js";
import conversationView from "./conversation.js";
import {
  errorBox, field, fmtNumber, h, ltr, pager, statusChip, subViews, timeEl,
} from "./dom.js";

const PER_PAGE = 50;

export const threadHref = (phone) => `#threads/${encodeURIComponent(phone)}`;

function threadRow(thread, fresh) {
  const { last } = thread;
  const incoming = last.direction === "in";
  const line = incoming ? last.message.number : last.message.sender;
  const count = `${fmtNumber(thread.count)} SMS`;
  return h(
    "li",
    { class: fresh ? "msg thread fresh" : "msg thread", "data-phone": thread.phone },
    h(
      "div",
      { class: "msg-head" },
      h("a", { class: "recipient phone", href: threadHref(thread.phone), "aria-label": `Thread with ${thread.phone}` },
        ltr(thread.phone)),
      h("span", { class: "count", title: `${thread.outgoing} sent, ${thread.incoming} received` }, count),
      thread.last_outgoing ? statusChip(thread.last_outgoing.message_status) : null,
    ),
    h("div", { class: "msg-body" },
      h("span", { class: `direction ${incoming ? "in" : "out"}` }, incoming ? "Phone:" : "Sandbox:"),
      h("p", { class: "text last", dir: "auto" }, last.message.text)),
    h("p", { class: "msg-meta" }, timeEl(last.time), " · ", incoming ? "to " : "from ", ltr(line)),
  );
}

function openForm(ctx) {
  const phone = h("input", { name: "phone", inputmode: "tel", autocomplete: "off", placeholder: "0912…, +98912…" });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Open a thread" },
    field("Phone number", phone),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Open thread")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (phone.value.trim()) ctx.navigate(threadHref(phone.value.trim()));
  });
  return form;
}

function listView(ctx) {
  let page = 1;
  let newestSeen = null;
  const results = h("div", { class: "results" });
  const element = h("div", {}, openForm(ctx), results);
  const refresh = async () => {
    let data;
    try {
      data = await get("/__sandbox/threads", { page, per_page: PER_PAGE });
    } catch (error) {
      if (!ctx.handle(error)) results.replaceChildren(errorBox(error));
      return;
    }
    const seen = newestSeen;
    const rows = data.items.map((t) => threadRow(t, seen !== null && t.last.time > seen));
    if (page === 1 && data.items.length) newestSeen = Math.max(seen || 0, data.items[0].last.time);
    const go = (to) => { page = to; ctx.refresh(); };
    results.replaceChildren(
      pager(page, data.last_page, data.total, data.total === 1 ? "thread" : "threads", go),
      rows.length
        ? h("ol", { class: "messages threads", "aria-label": "Threads, newest activity first" }, rows)
        : h("p", { class: "empty" }, "No SMS yet: send one and its thread appears here."),
    );
  };
  const show = () => {
    page = 1;
    newestSeen = null;
  };
  return { element, refresh, show };
}

export default {
  id: "threads",
  label: "Threads",
  topics: ["messages", "inbox"],
  create(ctx) {
    const tab = subViews(ctx, { list: listView, conversation: conversationView }, (arg) => {
      let phone = "";
      try {
        phone = decodeURIComponent(arg.split("?")[0]);
      } catch {
        phone = arg;
      }
      return phone ? ["conversation", phone] : ["list", ""];
    });
    const title = h("h2", { id: "threads-title" }, "Threads");
    const element = h("section", { "aria-labelledby": "threads-title" }, title, tab.holder);
    return { element, refresh: tab.refresh, show: tab.show };
  },
};
