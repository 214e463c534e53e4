// Controls: clock, chaos rules, rate limit and reset, each one admin API call; the API validates.

import { del, get, post, put } from "./api.js";
import { apiForm, errorBox, field, fmtNumber, h, ltr, numeric, serialized } from "./dom.js";

const FAULTS = ["reset_before", "reset_after", "empty_reply", "garbage", "hang"];
const STEPS = [["+1 s", 1], ["+30 s", 30], ["+1 min", 60], ["+1 h", 3600], ["+1 day", 86400]];

function clockPanel(ctx) {
  const now = h("p", { class: "big" }, "…");
  const steps = h("div", { class: "actions", role: "group", "aria-label": "Advance the clock" },
    STEPS.map(([label, seconds]) => h("button", {
      type: "button", "aria-label": `Advance the clock ${label.slice(1)}`,
      onclick: async () => {
        try {
          await post("/__sandbox/clock/advance", { seconds });
          await ctx.refresh();
        } catch (error) {
          ctx.handle(error);
        }
      },
    }, label)));
  const seconds = h("input", { name: "seconds", inputmode: "decimal", autocomplete: "off", placeholder: "90" });
  const advance = apiForm(ctx, "Advance by seconds", [field("Advance by (seconds)", seconds),
    h("button", { type: "submit" }, "Advance")],
  () => post("/__sandbox/clock/advance", { seconds: numeric(seconds.value) }));
  const at = h("input", { name: "time", autocomplete: "off", placeholder: "2026-12-01T09:00:00Z or 1796115600" });
  const set = apiForm(ctx, "Set the clock", [field("Set to (ISO 8601 or unix seconds)", at),
    h("button", { type: "submit" }, "Set")],
  () => post("/__sandbox/clock/set", { time: numeric(at.value) }));
  const element = h("section", { class: "panel", "aria-labelledby": "clock-title" },
    h("h3", { id: "clock-title" }, "Clock"), now, steps, advance, set);
  const update = (clock) => now.replaceChildren(
    ltr(clock.iso), ` (offset ${fmtNumber(clock.offset)} s from real time)`);
  return { element, update };
}

function ruleSummary(rule) {
  const trigger = rule.first_n !== null ? `first ${rule.first_n}` : `p = ${rule.probability}`;
  const actions = [];
  if (rule.status !== null) actions.push(`HTTP ${rule.status}`);
  if (rule.fault !== null) actions.push(rule.fault);
  if (rule.latency_ms) actions.push(`${rule.latency_ms} ± ${rule.jitter_ms} ms`);
  return { trigger, action: actions.join(", ") };
}

function chaosPanel(ctx) {
  const rules = h("div", {});
  const route = h("input", { name: "route", value: "POST /api/send", autocomplete: "off" });
  const trigger = h("select", { name: "trigger" },
    h("option", { value: "first_n" }, "first N requests"), h("option", { value: "probability" }, "probability"));
  const amount = h("input", { name: "amount", value: "1", inputmode: "decimal", autocomplete: "off" });
  const status = h("input", { name: "status", value: "503", inputmode: "numeric", autocomplete: "off" });
  const fault = h("select", { name: "fault" }, h("option", { value: "" }, "none"),
    FAULTS.map((f) => h("option", { value: f }, f)));
  const latency = h("input", { name: "latency_ms", inputmode: "numeric", autocomplete: "off" });
  const jitter = h("input", { name: "jitter_ms", inputmode: "numeric", autocomplete: "off" });
  const add = apiForm(ctx, "Add a chaos rule", [
    field("Route", route), field("Fires on", trigger), field("N or probability", amount),
    field("HTTP status", status), field("Wire fault", fault),
    field("Latency (ms)", latency), field("Jitter (ms)", jitter),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Add rule")),
  ], () => {
    const body = { route: route.value };
    body[trigger.value] = numeric(amount.value);
    for (const [name, input] of [["status", status], ["latency_ms", latency], ["jitter_ms", jitter]]) {
      if (input.value.trim() !== "") body[name] = numeric(input.value);
    }
    if (fault.value) body.fault = fault.value;
    return post("/__sandbox/chaos", body);
  }, "grid");
  const removeAll = h("button", { type: "button", class: "danger", onclick: async () => {
    try {
      await del("/__sandbox/chaos");
      await ctx.refresh();
    } catch (error) {
      ctx.handle(error);
    }
  } }, "Remove every rule");
  const element = h("section", { class: "panel wide", "aria-labelledby": "chaos-title" },
    h("h3", { id: "chaos-title" }, "Chaos rules"), rules, add, removeAll);
  const update = (state) => {
    if (!state.rules.length) {
      rules.replaceChildren(h("p", { class: "empty" }, "No chaos rule: every request is answered normally."));
      return;
    }
    rules.replaceChildren(h("div", { class: "table-wrap" }, h("table", { class: "rules" },
      h("caption", {}, `Checked in order; the first that fires wins (seed ${state.seed})`),
      h("thead", {}, h("tr", {}, ["#", "Route", "Fires on", "Does", "Matched", "Fired", ""]
        .map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, state.rules.map((rule) => {
        const { trigger: on, action } = ruleSummary(rule);
        return h("tr", { "data-rule": rule.id },
          h("td", { class: "num" }, String(rule.id)), h("td", {}, ltr(rule.route)), h("td", {}, on),
          h("td", {}, action), h("td", { class: "num" }, fmtNumber(rule.matched)),
          h("td", { class: "num" }, fmtNumber(rule.fired)),
          h("td", {}, h("button", {
            type: "button", class: "quiet", "aria-label": `Remove rule ${rule.id}`,
            onclick: async () => {
              try {
                await del(`/__sandbox/chaos/${rule.id}`);
                await ctx.refresh();
              } catch (error) {
                ctx.handle(error);
              }
            },
          }, "Remove")));
      })))));
  };
  return { element, update };
}

function rateLimitPanel(ctx) {
  const current = h("p", {});
  const rate = h("input", { name: "rate", inputmode: "decimal", autocomplete: "off", placeholder: "off" });
  const burst = h("input", { name: "burst", inputmode: "numeric", autocomplete: "off", placeholder: "20" });
  const form = apiForm(ctx, "Set the rate limit", [
    field("Requests per second (empty: off)", rate), field("Burst", burst),
    h("button", { type: "submit" }, "Apply"),
  ], () => {
    const body = { rate: numeric(rate.value) };
    if (burst.value.trim() !== "") body.burst = numeric(burst.value);
    return put("/__sandbox/ratelimit", body);
  });
  const element = h("section", { class: "panel", "aria-labelledby": "rate-title" },
    h("h3", { id: "rate-title" }, "Rate limit"), current, form);
  const update = (limit) => current.replaceChildren(limit.rate === null
    ? "Off: no caller is limited."
    : `${fmtNumber(limit.rate)} requests per second per caller, bursts of ${fmtNumber(limit.burst)}.`);
  return { element, update };
}

function resetPanel(ctx) {
  const button = h("button", { type: "button", class: "danger", onclick: async () => {
    if (!window.confirm("Reset the sandbox to its seeded start? Every message, bulk and rule goes.")) return;
    try {
      await post("/__sandbox/reset", {});
      await ctx.refresh();
    } catch (error) {
      ctx.handle(error);
    }
  } }, "Reset the sandbox");
  return h("section", { class: "panel", "aria-labelledby": "reset-title" },
    h("h3", { id: "reset-title" }, "Reset"),
    h("p", {}, "Back to the seeded start: users, patterns, outbox, captured and received "
      + "messages, auto-reply rules, journal, clock; no chaos rules, the configured rate limit."),
    button);
}

export default {
  id: "controls",
  label: "Controls",
  topics: ["clock", "journal"],
  create(ctx) {
    const inner = { ...ctx, refresh: () => refresh() };
    const clock = clockPanel(inner);
    const chaos = chaosPanel(inner);
    const limit = rateLimitPanel(inner);
    const problem = h("div", {});
    const element = h("section", { "aria-labelledby": "controls-title" },
      h("h2", { id: "controls-title" }, "Controls"), problem,
      h("div", { class: "panels" }, clock.element, limit.element, resetPanel(inner), chaos.element));
    const refresh = serialized(async () => {
      try {
        const [now, rules, rate] = await Promise.all([
          get("/__sandbox/clock"), get("/__sandbox/chaos"), get("/__sandbox/ratelimit"),
        ]);
        problem.replaceChildren();
        clock.update(now);
        chaos.update(rules);
        limit.update(rate);
      } catch (error) {
        if (!ctx.handle(error)) problem.replaceChildren(errorBox(error));
      }
    });
    return { element, refresh, show: () => refresh() };
  },
};
