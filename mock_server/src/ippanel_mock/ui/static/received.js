// Received: SMS that reached the users' lines (GET /__sandbox/inbox), a form to answer as a
// recipient (POST /__sandbox/inbox) and the auto-reply rules (/__sandbox/autoreplies).

import { del, get, post } from "./api.js";
import {
  apiForm, errorBox, field, fmtNumber, h, ltr, numeric, pager, serialized, timeEl,
} from "./dom.js";

const PER_PAGE = 50;
const FILTERS = ["from", "number", "text", "user"];

function replyPanel(ctx) {
  const from = h("input", { name: "from", inputmode: "tel", autocomplete: "off", placeholder: "09121234567" });
  const to = h("input", { name: "to", autocomplete: "off", placeholder: "+983000505" });
  const user = h("input", { name: "user", autocomplete: "off", placeholder: "every owner of the line" });
  const text = h("textarea", { name: "text", rows: "2", dir: "auto" });
  const form = apiForm(ctx, "Reply as a recipient", [
    field("From (the recipient's phone)", from), field("To (the line)", to),
    field("Inbox of user (optional)", user), h("div", { class: "wide-field" }, field("Text", text)),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Send to the sandbox")),
  ], async () => {
    const body = { from: from.value.trim(), to: to.value.trim(), text: text.value };
    if (user.value.trim()) body.user = user.value.trim();
    await post("/__sandbox/inbox", body);
    text.value = "";
  }, "grid");
  const element = h("section", { class: "panel wide", "aria-labelledby": "reply-title" },
    h("h3", { id: "reply-title" }, "Reply as a recipient"),
    h("p", { class: "hint" }, "The SMS arrives in the line owner's inbox, where ",
      h("code", {}, "POST /api/report/messages-inbox"), " reads it."),
    form);
  const fill = (params) => {
    if (params.from) from.value = params.from;
    if (params.to) to.value = params.to;
  };
  return { element, fill };
}

function rulesPanel(ctx) {
  const list = h("div", {});
  const number = h("input", { name: "number", inputmode: "tel", autocomplete: "off", placeholder: "09121234567" });
  const match = h("input", { name: "match", autocomplete: "off", placeholder: "(?i)stop" });
  const reply = h("input", { name: "reply", autocomplete: "off", dir: "auto", placeholder: "Got: {text}" });
  const delay = h("input", { name: "delay", inputmode: "decimal", autocomplete: "off", placeholder: "0" });
  const times = h("input", { name: "times", inputmode: "numeric", autocomplete: "off", placeholder: "no limit" });
  const add = apiForm(ctx, "Add an auto-reply rule", [
    field("Phone that answers", number), field("When the text matches (regex)", match),
    field("Reply", reply), field("Delay (seconds)", delay), field("Times", times),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Add rule")),
  ], () => {
    const body = { number: number.value.trim(), reply: reply.value };
    if (match.value !== "") body.match = match.value;
    for (const [name, input] of [["delay", delay], ["times", times]]) {
      if (input.value.trim() !== "") body[name] = numeric(input.value);
    }
    return post("/__sandbox/autoreplies", body);
  }, "grid");
  const remove = async (id) => {
    try {
      await del(`/__sandbox/autoreplies/${id}`);
      await ctx.refresh();
    } catch (error) {
      ctx.handle(error);
    }
  };
  const element = h("section", { class: "panel wide", "aria-labelledby": "rules-title" },
    h("h3", { id: "rules-title" }, "Auto-reply rules"), list, add);
  const update = (rules) => {
    if (!rules.length) {
      list.replaceChildren(h("p", { class: "empty" }, "No auto-reply rule: nobody answers by themselves."));
      return;
    }
    list.replaceChildren(h("div", { class: "table-wrap" }, h("table", { class: "rules" },
      h("caption", {}, "Tried in order; the first that matches answers"),
      h("thead", {}, h("tr", {}, ["#", "Phone", "Matches", "Reply", "Delay", "Answered", ""]
        .map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, rules.map((rule) => h("tr", { "data-autoreply": rule.id },
        h("td", { class: "num" }, String(rule.id)), h("td", {}, ltr(rule.number)),
        h("td", {}, rule.match === null ? "any text" : ltr(rule.match, { class: "path" })),
        h("td", { dir: "auto" }, rule.reply),
        h("td", { class: "num" }, `${fmtNumber(rule.delay)} s`),
        h("td", { class: "num" }, rule.times === null ? fmtNumber(rule.fired)
          : `${fmtNumber(rule.fired)} of ${fmtNumber(rule.times)}`),
        h("td", {}, h("button", {
          type: "button", class: "quiet", "aria-label": `Remove auto-reply rule ${rule.id}`,
          onclick: () => remove(rule.id),
        }, "Remove"))))))));
  };
  return { element, update };
}

function receivedCard(message) {
  const origin = message.rule_id !== null ? ` · auto-reply rule ${message.rule_id}` : "";
  return h("li", { class: "msg received", "data-id": message.id },
    h("div", { class: "msg-head" },
      h("span", { class: "recipient" }, "from ", ltr(message.from, { class: "from" })),
      h("span", { class: "chip status-received" }, `to ${message.number}`)),
    h("div", { class: "msg-body" }, h("p", { class: "text", dir: "auto" }, message.text)),
    h("p", { class: "msg-meta" },
      timeEl(message.time), " · inbox of ", message.user, origin,
      message.bulk_id === null ? null
        : [" · answers bulk ", h("a", { href: `#bulks/${message.bulk_id}` }, ltr(String(message.bulk_id)))]));
}

function filterForm(onSubmit) {
  const input = (name, props) => h("input", { name, autocomplete: "off", ...props });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Search received messages" },
    field("From", input("from", { inputmode: "tel", placeholder: "0912…, +98912…" })),
    field("Line", input("number", { placeholder: "+983000505" })),
    field("Text contains", input("text", { dir: "auto" })),
    field("User", input("user")),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, "Search"),
      h("button", { type: "reset", class: "quiet" }, "Clear")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = {};
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) params[name] = value;
    }
    onSubmit(params);
  });
  form.addEventListener("reset", () => setTimeout(() => onSubmit({})));
  form.fill = (params) => {
    for (const name of FILTERS) form.elements[name].value = params[name] || "";
  };
  return form;
}

export default {
  id: "received",
  label: "Received",
  topics: ["inbox"],
  create(ctx) {
    let params = {};
    let page = 1;
    const inner = { ...ctx, refresh: () => refresh() };
    const reply = replyPanel(inner);
    const rules = rulesPanel(inner);
    const form = filterForm((chosen) => {
      params = chosen;
      page = 1;
      refresh();
    });
    const results = h("div", { class: "results" });
    const element = h("section", { "aria-labelledby": "received-title" },
      h("h2", { id: "received-title" }, "Received messages"),
      h("div", { class: "panels" }, reply.element, rules.element),
      form, results);

    const refresh = serialized(async () => {
      let data;
      let found;
      try {
        [data, found] = await Promise.all([
          get("/__sandbox/inbox", { ...params, page, per_page: PER_PAGE }),
          get("/__sandbox/autoreplies"),
        ]);
      } catch (error) {
        if (!ctx.handle(error)) results.replaceChildren(errorBox(error));
        return;
      }
      rules.update(found.items);
      const go = (to) => { page = to; refresh(); };
      const noun = data.total === 1 ? "received message" : "received messages";
      const pending = data.pending
        ? `${fmtNumber(data.pending)} more on their way (due later on the sandbox clock)` : "";
      results.replaceChildren(
        pager(page, data.last_page, data.total, noun, go),
        h("p", { class: "pending" }, pending),
        data.items.length
          ? h("ol", { class: "messages", "aria-label": "Received messages, newest first" },
            data.items.map(receivedCard))
          : h("p", { class: "empty" }, "No received message matches."),
      );
    });

    return {
      element,
      refresh,
      // "#received?from=…&to=…" (a captured message's Reply link) fills the reply form.
      show(query) {
        reply.fill(Object.fromEntries(new URLSearchParams(query || "")));
        return refresh();
      },
    };
  },
};
