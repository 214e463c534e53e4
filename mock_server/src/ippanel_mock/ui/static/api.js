// The admin API and its event stream, with the admin token (if the sandbox asks for one).

const TOKEN_KEY = "ippanel-sandbox-admin-token";
const TOKEN_HEADER = "X-Sandbox-Admin-Token";

export class AuthRequired extends Error {
  constructor() {
    super("the sandbox asks for its admin token");
  }
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.fields = body && body.fields ? body.fields : null;
  }
}

export const getToken = () => sessionStorage.getItem(TOKEN_KEY) || "";
export const setToken = (token) =>
  token ? sessionStorage.setItem(TOKEN_KEY, token) : sessionStorage.removeItem(TOKEN_KEY);

function headers(extra) {
  const all = { ...extra };
  const token = getToken();
  if (token) all[TOKEN_HEADER] = token;
  return all;
}

export async function call(method, path, { query, body } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== "" && value !== null && value !== undefined) url.searchParams.set(key, value);
  }
  const response = await fetch(url, {
    method,
    cache: "no-store",
    headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (response.status === 401) throw new AuthRequired();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path, query) => call("GET", path, { query });
export const post = (path, body) => call("POST", path, { body });
export const put = (path, body) => call("PUT", path, { body });
export const del = (path, query) => call("DELETE", path, { query });

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (!data.length) return null; // a keep-alive comment
  return { event, data: JSON.parse(data.join("\n")) };
}

// Reads /__sandbox/events with fetch (EventSource cannot send the token header); reconnects
// with a growing pause when the stream ends. Returns a function that stops it for good.
export function listen(onEvent, onState) {
  let stopped = false;
  let controller = null;
  let pause = 500;
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  (async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch("/__sandbox/events", {
          cache: "no-store",
          headers: headers({ Accept: "text/event-stream" }),
          signal: controller.signal,
        });
        if (response.status === 401) {
          onState("locked");
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        onState("live");
        pause = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replaceAll("\r\n", "\n");
          let cut = buffer.indexOf("\n\n");
          while (cut >= 0) {
            const event = parseEvent(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
            if (event) onEvent(event.event, event.data);
            cut = buffer.indexOf("\n\n");
          }
        }
      } catch (error) {
        if (stopped) return;
      }
      onState("reconnecting");
      await wait(pause);
      pause = Math.min(pause * 2, 10000);
    }
  })();
  return () => {
    stopped = true;
    if (controller) controller.abort();
  };
}
