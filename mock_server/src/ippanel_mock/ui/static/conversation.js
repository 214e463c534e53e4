// One number's conversation as its phone shows it (GET /__sandbox/threads/{phone}): the
// sandbox's SMS on the left, the phone's own on the right, oldest at the top; and a reply box
// that sends an SMS from the phone (POST /__sandbox/inbox).

import { get, post } from "./api.js";
import { apiForm, errorBox, field, fmtNumber, h, ltr, serialized, statusChip, timeEl } from "./dom.js";
import { messageText } from "./otp.js";

const PER_PAGE = 50;

function bubble(item) {
  const { message } = item;
  const incoming = item.direction === "in";
  const meta = incoming
    ? ["to ", ltr(message.number, { class: "line" }), " · inbox of ", message.user,
      message.rule_id === null ? null : ` · auto-reply rule ${message.rule_id}`]
    : ["from ", ltr(message.sender, { class: "line" }), " · user ", message.user];
  return h(
    "li",
    { class: `bubble ${incoming ? "in" : "out"}`, "data-direction": item.direction, "data-id": message.id },
    h("span", { class: "visually-hidden" }, incoming ? "Sent by the phone: " : "Sent by the sandbox: "),
    incoming ? h("p", { class: "text", dir: "auto" }, message.text) : messageText(message),
    h("p", { class: "msg-meta" }, timeEl(item.time), " · ", meta),
    incoming ? null : statusChip(message.message_status),
  );
}

// Earlier / later pages: page 1 holds the newest messages.
function pages(page, data, go) {
  return h(
    "nav",
    { class: "pager", "aria-label": "Conversation pages" },
    h("span", { class: "count" }, `${fmtNumber(data.total)} SMS`),
    h("button", { type: "button", disabled: page >= data.last_page, onclick: () => go(page + 1) }, "‹ Earlier"),
    h("span", {}, `page ${fmtNumber(page)} of ${fmtNumber(data.last_page)}`),
    h("button", { type: "button", disabled: page <= 1, onclick: () => go(page - 1) }, "Later ›"),
  );
}

function replyBox(ctx, current) {
  const to = h("input", { name: "to", autocomplete: "off", placeholder: "+983000505" });
  const user = h("input", { name: "user", autocomplete: "off", placeholder: "every owner of the line" });
  const text = h("textarea", { name: "text", rows: "2", dir: "auto" });
  const label = h("h3", { id: "conversation-reply-title" }, "Reply from the phone");
  const form = apiForm(ctx, "Reply from the phone", [
    field("To (the line)", to), field("Inbox of user (optional)", user),
    h("div", { class: "wide-field" }, field("Message", text)),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Send")),
  ], async () => {
    const body = { from: current().phone, to: to.value.trim(), text: text.value };
    if (user.value.trim()) body.user = user.value.trim();
    await post("/__sandbox/inbox", body);
    text.value = "";
  }, "grid");
  const element = h("section", { class: "panel reply", "aria-labelledby": "conversation-reply-title" },
    label, form);
  // The line and account of the newest SMS to the phone, once per number, unless typed in.
  let suggested = false;
  const suggest = (outgoing) => {
    if (!outgoing || suggested) return;
    suggested = true;
    if (!to.value) to.value = outgoing.sender;
    if (!user.value) user.value = outgoing.user;
  };
  const clear = () => {
    suggested = false;
    to.value = "";
    user.value = "";
    text.value = "";
  };
  return { element, suggest, clear };
}

export default function conversationView(ctx) {
  let phone = "";
  let page = 1;
  let data = null;
  const heading = h("h3", { id: "conversation-title" });
  const intro = h("p", { class: "hint" });
  const inboxLink = h("span", {});
  const links = h("p", {}, h("a", { href: "#threads" }, "All threads"), inboxLink);
  const results = h("div", { class: "results" });
  const inner = { ...ctx, refresh: () => refresh() };
  const reply = replyBox(inner, () => data || { phone });
  const element = h("div", { class: "conversation-view" }, heading, links, intro, results, reply.element);

  const refresh = serialized(async () => {
    try {
      data = await get(`/__sandbox/threads/${encodeURIComponent(phone)}`, { page, per_page: PER_PAGE });
    } catch (error) {
      data = null;
      if (!ctx.handle(error)) results.replaceChildren(errorBox(error));
      reply.element.hidden = true;
      intro.replaceChildren();
      inboxLink.replaceChildren();
      return;
    }
    reply.element.hidden = false;
    heading.replaceChildren("Thread with ", ltr(data.phone));
    intro.replaceChildren("As the phone ", ltr(data.phone), " shows it: the sandbox's SMS on the left, ",
      "the phone's own on the right, oldest first.");
    inboxLink.replaceChildren(" · ",
      h("a", { href: `#inbox?${new URLSearchParams({ recipient: data.phone })}` }, "Its messages in the inbox"));
    reply.suggest(data.items.find((item) => item.direction === "out")?.message);
    const go = (to) => { page = to; refresh(); };
    results.replaceChildren(
      pages(page, data, go),
      data.items.length
        ? h("ol", { class: "conversation", "aria-label": `Conversation with ${data.phone}, oldest first` },
          [...data.items].reverse().map(bubble))
        : h("p", { class: "empty" }, "No SMS to or from this number yet."),
    );
  });

  const show = (chosen) => {
    if (chosen !== phone) {
      page = 1;
      data = null;
      reply.clear();
    }
    phone = chosen;
    if (!data) heading.replaceChildren("Thread with ", ltr(phone));
  };
  return { element, refresh, show };
}
